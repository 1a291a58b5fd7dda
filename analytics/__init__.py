"""Pure functions over DataFrames and numbers: statistics, calibration, P&L, formatting of
quantities. Nothing here imports Streamlit or talks to a database."""
