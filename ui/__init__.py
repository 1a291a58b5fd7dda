"""Small pieces of page layout shared by several pages (Streamlit only; no SQL, no statistics)."""
