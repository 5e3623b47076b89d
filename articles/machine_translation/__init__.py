"""Machine translation: engines behind one interface, the pipeline, memory and glossary."""
