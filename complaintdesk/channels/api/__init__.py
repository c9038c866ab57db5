from .adapter import ApiChannelAdapter

__all__ = ["ApiChannelAdapter"]
