"""
moto's server, served by waitress with keep-alive, with SQS's message counts skipped
where they are never used, with CloudWatch's counted values stored once each, and with
its list of services read once.

moto's own server (werkzeug's development server) closes the connection after every
response and starts a thread per connection: each SQS or CloudWatch call paid a TCP
connect and a thread start on both sides (2,500 sockets in TIME_WAIT after one gateway
benchmark). waitress keeps connections open and serves them from a pool of threads;
the pool is large because a ReceiveMessage long poll holds a thread for up to 20 s.

moto reads a queue's `attributes` for a single setting in SendMessage (one flag) and in
ReceiveMessage (the retention period, once per message), and building them counts the
queue's messages (visible, delayed, in flight) with a clock read per message: each send
costs O(queue length) and each receive O(length^2) -- 215 messages/s into an empty
queue, 34/s once it held a thousand. This launcher skips those three counts (0) inside
the calls that never use them; GetQueueAttributes still counts.

PutMetricData may send a value with a count (Values/Counts, as the product's metrics do:
a flush carries each distinct latency once, with how many requests took it). moto builds
one datum object per count, under the GIL: a gateway that served 100,000 requests made
100,000 objects in one call (seconds of CPU while SQS waited; some 0.5 KiB each, never
freed). Here each value becomes one datum, listed `count` times: the same statistics and
percentiles, at a list slot per count.

GetQueueAttributes built all of a queue's attributes, three counts among them, three
times for each attribute named (`ApproximateNumberOfMessages` alone: nine passes over
the messages), and the counts of delayed and in-flight messages built two datetimes per
message: one call took ~290 ms of CPU, under the GIL, on a queue of 3,600 messages (the
dispatcher reads six queues' depths every 15 s, the gateway the high queue's every 2 s).
Here the attributes are built once per call, and the counts read the clock once.

moto turns attribute and action names from CamelCase into snake_case with a loop over
their characters, for every attribute of a queue each time it builds them (every
SendMessage asks them for one flag) and for every request's action: ~20 % of its
samples under the GIL while sending. The function is pure: here its answers are
cached.

moto finds a queue's visible messages (every ReceiveMessage, and each wake of a long
poll) by asking each message whether it is visible and whether it is delayed, and each
answer reads the clock by building two datetimes: draining a queue of a thousand, ten
at a time, cost ~1.8 ms of CPU per message, under the GIL (now ~0.9). Here the list reads the clock once and
compares the messages' own timestamps: the same messages, as of one instant. A delete
asked each message for its receipt handles as a new list; here it compares in place.

moto keeps every model object it ever made (each SQS message, each CloudWatch datum)
in a list per class, for its dashboard's data page (/moto-api/data.json): a message's
body and attributes were never freed after its deletion, ~3 KB per message in
tracemalloc, and moto's RSS grew 88 -> 238 MiB over eight gateway benchmarks on one
stack. Here models are not tracked (that page lists none); the service state is kept as
before.

moto's dispatcher lists its own package directory (a listdir and 200 isdir calls) on
every request, under a lock, to learn its service names: here the list is read once.

Usage: python3 moto_launcher.py -H 127.0.0.1 -p 4566
"""
import argparse, functools, os, sys, threading
from moto.core import utils as moto_utils
camelcase_to_underscores = moto_utils.camelcase_to_underscores
moto_utils.camelcase_to_underscores = functools.lru_cache(maxsize=4096)(camelcase_to_underscores)
from moto.core.utils import unix_time, unix_time_millis
from moto.sqs import models
from moto.sqs.exceptions import InvalidAttributeName
local = threading.local()
def delayed_count(queue):
    now = unix_time_millis()
    return sum(1 for m in queue._messages if now < m.delayed_until)
def not_visible_count(queue):
    now = unix_time_millis()
    return sum(1 for m in queue._messages if not now > m.visible_at)
COUNTS = {
    'approximate_number_of_messages': lambda queue: len(queue.messages),
    'approximate_number_of_messages_delayed': delayed_count,
    'approximate_number_of_messages_not_visible': not_visible_count,
}
def counted_unless_skipped(count):
    return property(lambda self: 0 if getattr(local, 'skip', False) else count(self))
for name, count in COUNTS.items():
    setattr(models.Queue, name, counted_unless_skipped(count))
def skipping_counts(fn):
    def wrapper(*args, **kwargs):
        outer = getattr(local, 'skip', False)
        local.skip = True
        try:
            return fn(*args, **kwargs)
        finally:
            local.skip = outer
    return wrapper
for name in ('send_message', '_validate_message'):
    setattr(models.SQSBackend, name, skipping_counts(getattr(models.SQSBackend, name)))

def visible_messages(self):
    now = unix_time_millis()
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]
models.Queue.messages = property(visible_messages)
models.Message.had_receipt_handle = lambda self, handle: handle == self.receipt_handle or handle in self._old_receipt_handles
def retained(self, queue_name, message):
    return self.get_queue(queue_name).message_retention_period + message.sent_timestamp / 1000 > unix_time()
models.SQSBackend.is_message_valid_based_on_retention_period = retained
def get_queue_attributes(self, queue_name, attribute_names):
    queue = self.get_queue(queue_name)
    if not attribute_names:
        return {}
    valid_names = ['All'] + queue.BASE_ATTRIBUTES + queue.FIFO_ATTRIBUTES + queue.KMS_ATTRIBUTES
    invalid_name = next((name for name in attribute_names if name not in valid_names), None)
    if invalid_name or invalid_name == '':
        raise InvalidAttributeName(invalid_name)
    attributes = queue.attributes
    if 'All' in attribute_names:
        return attributes
    return {name: attributes[name] for name in attribute_names if attributes.get(name) is not None}
models.SQSBackend.get_queue_attributes = get_queue_attributes

from moto.cloudwatch import models as cloudwatch
store_metric_data = cloudwatch.CloudWatchBackend.put_metric_data
def put_metric_data(self, namespace, metric_data):
    for i, member in enumerate(metric_data):
        self._validate_parameters_put_metric_data(member, i + 1)
    counted = [m for m in metric_data if m.get('Values')]
    store_metric_data(self, namespace, [m for m in metric_data if not m.get('Values')])
    for m in counted:
        counts = m.get('Counts') or ['1'] * len(m['Values'])
        for value, count in zip(m['Values'], counts):
            datum = cloudwatch.MetricDatum(namespace, m['MetricName'], float(value), m.get('Dimensions', []), m.get('Timestamp'), m.get('Unit'))
            self.metric_data.extend([datum] * int(float(count)))
cloudwatch.CloudWatchBackend.put_metric_data = put_metric_data

from moto.core import common_models
common_models.BaseModel.__new__ = staticmethod(lambda cls, *args, **kwargs: object.__new__(cls))

from moto import backends
moto_modules = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: moto_modules

# Modules imported before the cache was put in place hold moto's own function.
for module in list(sys.modules.values()):
    if getattr(module, 'camelcase_to_underscores', None) is camelcase_to_underscores:
        module.camelcase_to_underscores = moto_utils.camelcase_to_underscores

parser = argparse.ArgumentParser()
parser.add_argument('-H', '--host', default='127.0.0.1')
parser.add_argument('-p', '--port', type=int, required=True)
args = parser.parse_args(sys.argv[1:])
os.environ.setdefault('MOTO_PORT', str(args.port))  # as moto_server sets it

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
waitress.serve(
    DomainDispatcherApplication(create_backend_app),
    host=args.host,
    port=args.port,
    threads=64,
    connection_limit=2000,
    ident='moto',
)
