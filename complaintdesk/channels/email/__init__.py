from .adapter import EmailChannelAdapter

__all__ = ["EmailChannelAdapter"]
