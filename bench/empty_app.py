"""The yardstick for page-ready times: a Streamlit app that draws a title and nothing else."""
import streamlit as st

st.title("Empty page")
