"""SQL files of newsetl (DDL, load, export, views, macros, queries); installed as etl.sql."""
