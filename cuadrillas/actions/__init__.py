"""State changes of crews and their stock, by topic: ``cuadrillas.actions.crews``, ``cuadrillas.actions.stock``."""
