"""DynamoDB through PynamoDB: the single-table records, key layout and the stores built on them."""
