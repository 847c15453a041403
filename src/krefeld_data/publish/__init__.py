"""The publish stage: notebook execution, reader pages, downloads (needs the ``publish`` extra)."""

from krefeld_data.errors import PUBLISH_MODULES, require_extra

require_extra("publish", PUBLISH_MODULES)
