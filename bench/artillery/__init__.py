"""The Artillery side of the crowd comparison (a package: ``from artillery import peer``)."""
