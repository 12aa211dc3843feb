"""
moto's server with SQS's message counts skipped where they are never used.

moto reads a queue's `attributes` for a single setting in SendMessage (one flag) and in
ReceiveMessage (the retention period, once per message), and building them counts the
queue's messages (visible, delayed, in flight) with a clock read per message: each send
costs O(queue length) and each receive O(length^2) -- 215 messages/s into an empty
queue, 34/s once it held a thousand. This launcher skips those three counts (0) inside
the calls that never use them; GetQueueAttributes still counts.

Usage: python3 moto_launcher.py -H 127.0.0.1 -p 4566 (the arguments of moto_server)
"""
import sys, threading
from moto.sqs import models
local = threading.local()
def counted_unless_skipped(name):
    count = getattr(models.Queue, name).fget
    setattr(models.Queue, name, property(lambda self: 0 if getattr(local, 'skip', False) else count(self)))
for name in ('approximate_number_of_messages', 'approximate_number_of_messages_delayed', 'approximate_number_of_messages_not_visible'):
    counted_unless_skipped(name)
def skipping_counts(fn):
    def wrapper(*args, **kwargs):
        outer = getattr(local, 'skip', False)
        local.skip = True
        try:
            return fn(*args, **kwargs)
        finally:
            local.skip = outer
    return wrapper
for name in ('send_message', '_validate_message', 'is_message_valid_based_on_retention_period'):
    setattr(models.SQSBackend, name, skipping_counts(getattr(models.SQSBackend, name)))
from moto.server import main
main(sys.argv[1:])
