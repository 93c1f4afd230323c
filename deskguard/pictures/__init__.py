"""Pictures of the exercises: the stick figure of deskguard.core.figure drawn as a PNG
with Pillow (render.py) and kept under the XDG cache folder (cache.py)."""
