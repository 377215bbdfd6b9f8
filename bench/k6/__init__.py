"""The k6 side of the crowd comparison (a package so ``from k6 import peer`` finds this one)."""
