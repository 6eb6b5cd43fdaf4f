# An excerpt of holmes/core/investigation_structured_output.py (see ../SOURCE.md): the sections' type, verbatim.
from typing import Dict


InputSectionsDataType = Dict[str, str]
