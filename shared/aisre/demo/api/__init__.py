"""The demos pure parts: the story it tells and what a seed made.' > model/__init__.py
echo 'The demos use case: seeding a workspace through the other capabilities services.' > service/__init__.py
echo 'The demos record in the single table: what a workspaces seed made.' > store/__init__.py
echo 'The demos HTTP route."""
