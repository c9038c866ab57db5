"""Writes for intelligence, one module per topic; callers import the topic module they need.

- `training`: classifiers (train, activate, deactivate) and emotion labels
- `enrichment`: `complaint_enrich`, run after a complaint is stored
- `repeats`: links to the earlier complaints a complaint repeats
- `fingerprints`: fingerprints and their key index, for group detection
- `groups`: group / batch complaints the system detects (shared steps: members, flags, the alert)
- `group_actions`: what people do with groups (link, unlink, open, confirm, dismiss, resolve)
- `corrections`: agents' corrections of enrichment
- `common`: the system actor and checking a reason
"""
