"""Code generation: one program (imports, step blocks, results) rendered as a notebook, a
script, requirements and a Docker bundle."""
