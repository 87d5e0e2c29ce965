"""RPG (ALGORITHMS.md §2): model, pure decoding, item graph, training, ONNX / artifact-set export."""
