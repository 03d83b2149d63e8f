"""Data access: the DynamoDB single table through PynamoDB. Nothing above this package sees an item."""
