"""What a file is, from its first bytes (magic numbers). Pure: never the name nor the client's word.

Only evidence people send is accepted: photos (JPEG, PNG, GIF, WebP, HEIC) and PDF. Executables
and scripts are recognised by name so that the refusal can say why.
"""

from dataclasses import dataclass

SNIFF_BYTES = 64


@dataclass(frozen=True)
class Sniffed:
    content_type: str  # the MIME type of what the bytes are, "" when unknown
    label: str  # for people: "PDF", "JPEG 图片", "Windows 可执行文件" …
    allowed: bool
    extension: str = ""


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis", b"avic"}


def sniff(head: bytes) -> Sniffed:
    """The type of a file whose first bytes are `head` (at least SNIFF_BYTES of them when the file has them)."""
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "PDF", True, ".pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "JPEG", True, ".jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "PNG", True, ".png")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Sniffed("image/gif", "GIF", True, ".gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "WebP", True, ".webp")
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return Sniffed("image/heic", "HEIC", True, ".heic")
    # Refused, but named: the refusal says what the file really is.
    if head.startswith(b"MZ"):
        return Sniffed("application/x-msdownload", "Windows executable", False)
    if head.startswith(b"\x7fELF"):
        return Sniffed("application/x-executable", "ELF executable", False)
    if head[:4] in {
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    }:
        return Sniffed("application/x-mach-binary", "Mach-O executable", False)
    if head.startswith(b"#!"):
        return Sniffed("text/x-script", "script", False)
    if head.startswith(b"PK\x03\x04"):
        return Sniffed("application/zip", "ZIP archive", False)
    return Sniffed("", "unknown", False)


ALLOWED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf")
EXECUTABLE_TYPES = frozenset(
    {"application/x-msdownload", "application/x-executable", "application/x-mach-binary", "text/x-script"}
)
