"""`make bench` / `python -m bench`: how fast every page's data is at ten years of demo data,
against the seed's query patterns, a naive dashboard and the floor, plus Chromium page-ready
times and the Streamlit server's memory under 20 sessions. See README "Performance"."""
