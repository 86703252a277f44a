__version__ = "0.1.0"
# The built-in model families register themselves when nas_nb.models is imported (nas_nb.families): importing it
# here registers them, in the order of the arch_type gene, before any module looks a family up.
from . import models
