"""Central ingest: store pushed events once, apply them in bulk, keep rollups in the same transaction.

Every event is stored by its id (a unique key). A repeated event is acknowledged; the same id with
another body is refused and recorded as a conflict, never overwritten. Business records keep the
UUIDs they were born with (unique keys too), so an event can never create a record twice.

The modules, along its seams: ``values`` (an event's values checked; ``Outcome``, ``Refused``), ``dedupe`` (the
event log: repeats and changed bodies), ``refs`` (what a batch refers to, within the pushing outlet), ``batch``
(one handler per event type), ``documents`` (documents and users an outlet creates), ``bulk`` (the bulk
writer), ``push`` (one batch from start to end).
"""

from pos.sync.ingest.push import as_response, ingest
from pos.sync.ingest.values import Outcome, Refused

__all__ = ["Outcome", "Refused", "as_response", "ingest"]
