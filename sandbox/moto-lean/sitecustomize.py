"""
Loaded by Python at start-up when sandbox/moto.ts starts a moto_server with `lean: true` (the tests):
that moto_server's PYTHONPATH begins with this folder and DAYBOOK_MOTO_LEAN=1 is set for it alone.

Costs of moto 5's server that change nothing it answers, each explained where it is removed:
- werkzeug logs a line for every request (through a lock, to a pipe sandbox/moto.ts only drains);
  warnings and errors are still written.
- the dispatcher finds each request's service under one lock for all threads, listing moto's
  package folder (a stat of every service's folder) on every request. The answer depends only on
  the host it is given, and moto's folder does not change while it runs, so it is kept per host.
- TransactWriteItems copies a whole table once per item (_copy_each_table_once).
- a FIFO send counts the queue's messages four times a message (_queue_attributes_once_per_send).
- a Query on a table's own key sorts every item of the table to keep one partition's
  (_query_reads_its_partition).
- a ReceiveMessage builds the queue's whole attributes for each message it hands out, to read the
  retention period (_retention_read_directly).
- every answer closes its connection, so each request is a new TCP connection and a new thread
  (_keep_alive).
- every DynamoDB answer goes through the model-driven serializer's value picker, member by member
  (_dynamodb_answers_directly).

Side by side, one file at a time, the seven files that load moto most: moto's CPU-seconds 64.2 ->
46.6. Anything unlike what this expects leaves moto as it is.

One change is a fix, not a cost: moto's DynamoDB backend has no lock, so a request on one thread could
see another half done (_one_dynamodb_request_at_a_time).
"""
import os
import sys


def _lean() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from moto import backends
    from moto.moto_server import werkzeug_app

    dispatcher = getattr(werkzeug_app, "DomainDispatcherApplication", None)
    original = getattr(dispatcher, "get_backend_for_host", None)
    if original is None or not callable(getattr(backends, "list_of_moto_modules", None)):
        return
    by_host = {}

    def get_backend_for_host(self, host):
        try:
            return by_host[host]
        except KeyError:
            backend = by_host[host] = original(self, host)
            return backend

    dispatcher.get_backend_for_host = get_backend_for_host
    _one_dynamodb_request_at_a_time()
    _copy_each_table_once()
    _queue_attributes_once_per_send()
    _query_reads_its_partition()
    _retention_read_directly()
    _keep_alive()
    _dynamodb_answers_directly()


def _one_dynamodb_request_at_a_time() -> None:
    """
    moto_server answers each connection on a thread of its own, and its DynamoDB backend takes no lock:
    a TransactWriteItems deep-copies the whole table to roll back to while another thread's write
    changes it, and fails ("dictionary changed size during iteration", answered 500 with werkzeug's
    page), which test files sharing one moto_server met now and then (test/web/history.test.ts's old-day
    writes beside other files' writes). DynamoDB applies each request whole; here each DynamoDB request
    runs alone, which costs nothing moto had (its threads share one interpreter lock).
    """
    import threading

    from moto.dynamodb import responses

    handler = getattr(responses, "DynamoHandler", None)
    original = getattr(handler, "call_action", None)
    if original is None:
        return
    lock = threading.Lock()

    def call_action(self):
        with lock:
            return original(self)

    handler.call_action = call_action


def _copy_each_table_once() -> None:
    """
    TransactWriteItems keeps a deep copy of a table to roll back to, made again for each item of the
    transaction that names the table, all before its first write: the copies are of one state, so
    the first serves them all. A copy costs the whole table (the scheduler's 600 locations), twice or
    more per transaction. Any other deep copy in the module (an item's) is made as before.
    """
    import copy
    import threading

    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    backend = getattr(models, "DynamoDBBackend", None)
    original = getattr(backend, "transact_write_items", None)
    if original is None or getattr(models, "copy", None) is not copy:
        return
    local = threading.local()

    class CopyEachTableOnce:
        def __getattr__(self, name):
            return getattr(copy, name)

        def deepcopy(self, value, memo=None):
            tables = getattr(local, "tables", None)
            if tables is None or memo is not None or not isinstance(value, Table):
                return copy.deepcopy(value, memo)
            if id(value) not in tables:
                tables[id(value)] = copy.deepcopy(value)
            return tables[id(value)]

    def transact_write_items(self, transact_items):
        local.tables = {}
        try:
            return original(self, transact_items)
        finally:
            local.tables = None

    models.copy = CopyEachTableOnce()
    backend.transact_write_items = transact_write_items


def _queue_attributes_once_per_send() -> None:
    """
    Sending to a FIFO queue reads the queue's ContentBasedDeduplication through its whole attributes
    dict, four times a message, and the dict counts every message the queue holds each time (the
    approximate counts): a tick's 600 jobs went over the queue 2,400 times. Within one SendMessage or
    SendMessageBatch the dict is made once per queue; nothing a send reads from it can change meanwhile.
    Outside a send (GetQueueAttributes) it is made afresh as before.
    """
    import threading

    from moto.sqs import models

    queue = getattr(models, "Queue", None)
    backend = getattr(models, "SQSBackend", None)
    described = getattr(queue, "__dict__", {}).get("attributes")
    if not isinstance(described, property) or described.fget is None or backend is None:
        return
    made = described.fget
    local = threading.local()

    def attributes(self):
        queues = getattr(local, "queues", None)
        if queues is None:
            return made(self)
        if id(self) not in queues:
            queues[id(self)] = (self, made(self))
        return queues[id(self)][1]

    def within_one_send(original):
        def send(self, *args, **kwargs):
            outermost = getattr(local, "queues", None) is None
            if outermost:
                local.queues = {}
            try:
                return original(self, *args, **kwargs)
            finally:
                if outermost:
                    local.queues = None

        return send

    for name in ("send_message", "send_message_batch"):
        original = getattr(backend, name, None)
        if original is None:
            return
    for name in ("send_message", "send_message_batch"):
        setattr(backend, name, within_one_send(getattr(backend, name)))
    queue.attributes = property(attributes)


def _query_reads_its_partition() -> None:
    """
    A Query on the table's own key (no index) takes moto's list of every item in the table, sorted by
    hash and range key (each comparison a Python call), keeps the items whose hash key is the one
    asked for, and sorts those by range key. The table holds the items by hash key already, so the
    partition's items are taken from there, in the order of that first sort (their range keys); the
    second sort orders them as before. A whole night's table or a run's shared one was sorted again
    on every Query. Queries on an index, and Scans, are left as they are.
    """
    import inspect
    import threading

    from moto.dynamodb.models.table import Table

    original_query = getattr(Table, "query", None)
    original_all_items = getattr(Table, "all_items", None)
    if original_query is None or original_all_items is None:
        return
    signature = inspect.signature(original_query)
    if not {"hash_key", "index_name"} <= set(signature.parameters):
        return
    local = threading.local()

    def all_items(self):
        asked = getattr(local, "partition", None)
        if asked is None or asked[0] is not self:
            return original_all_items(self)
        local.partition = None
        held = self.items.get(asked[1])
        if held is None:
            return []
        if not self.range_key_attr:
            return [held]
        return sorted(held.values(), key=lambda item: item.range_key)

    def query(self, *args, **kwargs):
        asked = signature.bind(self, *args, **kwargs).arguments
        own_key = asked.get("index_name") is None and asked.get("hash_key") is not None
        local.partition = (self, asked["hash_key"]) if own_key else None
        try:
            return original_query(self, *args, **kwargs)
        finally:
            local.partition = None

    Table.all_items = all_items
    Table.query = query


def _retention_read_directly() -> None:
    """
    ReceiveMessage checks each message it hands out against the queue's retention period, read
    through GetQueueAttributes: the queue's whole attributes dict, which counts every message the
    queue holds (its approximate counts). The period is the queue's message_retention_period, which
    that dict holds as it is; it is read from the queue instead.
    """
    from moto.core.utils import unix_time
    from moto.sqs import models

    backend = getattr(models, "SQSBackend", None)
    queue = getattr(models, "Queue", None)
    if backend is None or getattr(backend, "is_message_valid_based_on_retention_period", None) is None:
        return
    if "MessageRetentionPeriod" not in getattr(queue, "BASE_ATTRIBUTES", []):
        return

    def is_message_valid_based_on_retention_period(self, queue_name, message):
        retention_period = self.get_queue(queue_name).message_retention_period
        return retention_period + message.sent_timestamp / 1000 > unix_time()

    backend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


def _keep_alive() -> None:
    """
    werkzeug's server answers every request with "Connection: close", so each request the SDK sends
    opens a TCP connection and moto starts a thread for it (and the client's connect, in the test's
    own process, was a seventh of its CPU in test/web/cross-tenant.test.ts). Here a request that says
    how long its body is has the body read whole before moto sees it, and its connection stays open
    for the next request (HTTP/1.1 keep-alive, which the SDK's agents use); werkzeug's drain of "what
    is left of the request" after the answer, which would read the next request's line, finds nothing
    left and is skipped. A chunked body, HTTP/1.0, or a client that asks to close, closes as before.
    """
    import io
    import selectors as real_selectors
    import threading

    from werkzeug import serving

    handler = getattr(serving, "WSGIRequestHandler", None)
    make_environ = getattr(handler, "make_environ", None)
    if make_environ is None or getattr(serving, "selectors", None) is not real_selectors:
        return
    local = threading.local()

    def keep_alive_environ(self):
        environ = make_environ(self)
        local.kept = False
        if environ.get("wsgi.input_terminated") or self.request_version != "HTTP/1.1":
            return environ
        if "close" in self.headers.get("Connection", "").lower() or "Transfer-Encoding" in self.headers:
            return environ
        try:
            length = int(environ.get("CONTENT_LENGTH") or "0")
        except ValueError:
            return environ
        if length < 0:
            return environ
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            return environ
        environ["wsgi.input"] = io.BytesIO(body)
        local.kept = True
        return environ

    def send_header(self, keyword, value):
        if getattr(local, "kept", False) and keyword.lower() == "connection" and value.lower() == "close":
            return
        serving.BaseHTTPRequestHandler.send_header(self, keyword, value)

    class NothingLeft:
        def register(self, *args, **kwargs):
            return None

        def select(self, timeout=None):
            return []

        def close(self):
            return None

    class Selectors:
        def __getattr__(self, name):
            return getattr(real_selectors, name)

        def DefaultSelector(self):  # noqa: N802 - the name werkzeug calls
            return NothingLeft() if getattr(local, "kept", False) else real_selectors.DefaultSelector()

    # The answer's head and body go out in separate writes: on an open connection Nagle's algorithm
    # held the second for the client's delayed ACK (about 40 ms a request), which closing used to flush.
    handler.disable_nagle_algorithm = True
    handler.make_environ = keep_alive_environ
    handler.send_header = send_header
    serving.selectors = Selectors()


def _dynamodb_answers_directly() -> None:
    """
    moto 5.2 writes every answer through its model-driven serializer: for each member of the output
    shape, down to each attribute of each item, it asks a value picker for the member under several
    spellings and transformers, about half of moto's own time on a DynamoDB request (a sampling
    profile of test/web/api.test.ts, scheduler.test.ts and email-links.test.ts). A DynamoDB result
    that is plain JSON data (dicts, lists, strings, numbers, booleans) whose keys are all members of
    their shape is written here by a direct walk of the same shape, in the same order, with the same
    conversions (an integer member an int, a float member a float, a blob base64); anything else
    (an object, a timestamp, an unknown key, an error, a transformer) goes through the serializer as
    before. DAYBOOK_MOTO_VERIFY=<file> runs both and appends to the file every answer that differs.
    """
    import base64
    import json

    from moto import settings as moto_settings
    from moto.core import responses, serialize
    from moto.dynamodb import responses as dynamodb_responses

    action_result = getattr(responses, "ActionResult", None)
    # DynamoResult only turns moto's DynamoType values into dicts first.
    results = {action_result, getattr(dynamodb_responses, "DynamoResult", action_result)}
    json_serializer = getattr(serialize, "JSONSerializer", None)
    original = getattr(action_result, "execute_result", None)
    if original is None or json_serializer is None or not hasattr(json_serializer, "_get_protocol_specific_content_type"):
        return
    verify = os.environ.get("DAYBOOK_MOTO_VERIFY")

    class Fallback(Exception):
        pass

    def walk(value, shape):
        kind = shape.type_name
        if kind == "structure":
            if type(value) is not dict or getattr(shape, "is_document_type", False):
                raise Fallback
            members = shape.members
            for key in value:
                if key not in members:
                    raise Fallback
            out = {}
            for name, member in members.items():
                member_value = value.get(name)
                if member_value is None:
                    continue
                if "name" in member.serialization:
                    raise Fallback
                out[name] = walk(member_value, member)
            return out
        if kind == "map":
            if type(value) is not dict or "name" in shape.value.serialization:
                raise Fallback
            out = {}
            for key, item in value.items():
                if item is None or type(key) is not str:
                    raise Fallback
                out[key] = walk(item, shape.value)
            return out
        if kind == "list":
            if type(value) is not list or "name" in shape.member.serialization:
                raise Fallback
            items = []
            for item in value:
                if item is None:
                    raise Fallback
                items.append(walk(item, shape.member))
            return items
        if kind == "string":
            if type(value) is not str:
                raise Fallback
            return value
        if kind == "boolean":
            if type(value) is not bool:
                raise Fallback
            return value
        if kind in ("integer", "long"):
            if type(value) is not int:
                raise Fallback
            return value
        if kind in ("float", "double"):
            if type(value) not in (int, float):
                raise Fallback
            return float(value)
        if kind == "blob":
            if type(value) is str:
                value = value.encode("utf-8")
            elif type(value) is not bytes:
                raise Fallback
            return base64.b64encode(value).strip().decode("utf-8")
        raise Fallback

    def direct(self, context):
        if type(self) not in results or context.serializer_class is not json_serializer or type(self.result) is not dict:
            return None
        if context.service_model.service_name != "dynamodb" or moto_settings.PRETTIFY_RESPONSES:
            return None
        if getattr(context.response, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None):
            return None
        shape = context.operation_model.output_shape
        if shape is None or shape.type_name != "structure":
            return None
        try:
            body = json.dumps(walk(self.result, shape))
        except Fallback:
            return None
        serializer = context.serializer_class(operation_model=context.operation_model, pretty_print=False)
        status = context.operation_model.http.get("responseCode", serializer.DEFAULT_RESPONSE_CODE)
        return status, {"Content-Type": serializer._get_protocol_specific_content_type()}, body

    tally = {"direct": 0, "serializer": 0}

    def execute_result(self, context):
        answer = direct(self, context)
        if verify:
            tally["serializer" if answer is None else "direct"] += 1
            if sum(tally.values()) % 100 == 0:
                with open(f"{verify}.{os.getpid()}.tally", "w", encoding="utf-8") as out:
                    out.write(f"{tally}\n")
        if answer is None:
            return original(self, context)
        if verify:
            expected = original(self, context)
            if expected != answer:
                with open(verify, "a", encoding="utf-8") as out:
                    out.write(f"{context.operation_model.name}\n  serializer: {expected!r:.2000}\n  direct:     {answer!r:.2000}\n")
                return expected
        return answer

    action_result.execute_result = execute_result


def _chain() -> None:
    """Another sitecustomize further along the path (a distribution's) still runs."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    saved, sys.path[:] = sys.path[:], rest
    this = sys.modules.pop(__name__)
    try:
        import sitecustomize  # noqa: F401
    except ImportError:
        pass
    finally:
        sys.path[:] = saved
        sys.modules[__name__] = this


_chain()
if os.environ.get("DAYBOOK_MOTO_LEAN") == "1":
    try:
        _lean()
    except Exception:  # noqa: BLE001 - an unexpected moto: left as it is, only slower
        pass
