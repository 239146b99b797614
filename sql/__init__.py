"""SQL files of newsetl (DDL, load statements, views, macros, analyst queries), installed as ``etl.sql``."""
