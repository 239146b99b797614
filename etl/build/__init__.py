"""Build steps for what the pipeline ships in its data folders (the casing model, the event
confidence table, ...): ``newsetl build NAME``. ``registry`` holds the machinery (declared
inputs and outputs, skip when the inputs' hash is unchanged), ``steps`` one entry per step."""
