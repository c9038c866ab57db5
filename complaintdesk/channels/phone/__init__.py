from .adapter import AssistedChannelAdapter, PhoneAdapter

__all__ = ["AssistedChannelAdapter", "PhoneAdapter"]
