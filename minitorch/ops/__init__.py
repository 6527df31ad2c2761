"""The differentiable operations, one ``Function`` subclass per op, grouped by family."""
