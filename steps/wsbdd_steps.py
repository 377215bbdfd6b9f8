"""This project's steps: the whole wsbdd step library."""

from wsbdd.steps import *
