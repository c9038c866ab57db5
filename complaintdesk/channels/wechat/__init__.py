from .adapter import WeChatChannelAdapter

__all__ = ["WeChatChannelAdapter"]
