from .adapter import WebFormAdapter

__all__ = ["WebFormAdapter"]
