from .bulk import bulk_insert

__all__ = ["bulk_insert"]
