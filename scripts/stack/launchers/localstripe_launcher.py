"""
localstripe with its store in the stack's state directory, written at most every
LOCALSTRIPE_FLUSH_MS and when the server stops.

localstripe keeps its store in a fixed /tmp/localstripe.pickle, rewritten whole on every
change: two stacks would share it, a stop mid-write leaves a truncated file that fails
the next start, and one payment (intent, charge, balance transaction, ...) rewrites a
store of a few MB several times -- at a few thousand payments that capped localstripe at
4 payments/s with its CPU mostly idle. This launcher keeps the store in LOCALSTRIPE_STORE,
writes it atomically, at most every LOCALSTRIPE_FLUSH_MS (on the server's own event loop,
so never mid-change), and once more when the server stops.

Usage: LOCALSTRIPE_STORE=<file> python3 localstripe_launcher.py --port 8420
"""
import asyncio, os, pickle, sys
from localstripe import resources
from localstripe.server import app, start
path = os.environ['LOCALSTRIPE_STORE']
interval = int(os.environ.get('LOCALSTRIPE_FLUSH_MS', '250')) / 1000
dirty = False
def load(self):
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f)
        self.clear()
        self.update(data)
    except (FileNotFoundError, EOFError, pickle.UnpicklingError):
        pass
def write():
    global dirty
    if not dirty:
        return
    dirty = False
    with open(path + '.tmp', 'wb') as f:
        pickle.dump(resources.store, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + '.tmp', path)
def mark_dirty(self):
    global dirty
    dirty = True
async def flush_periodically():
    while True:
        await asyncio.sleep(interval)
        write()
async def on_startup(app):
    app['flusher'] = asyncio.ensure_future(flush_periodically())
async def on_cleanup(app):
    app['flusher'].cancel()
    write()
resources.Store.try_load_from_disk = load
resources.Store.dump_to_disk = mark_dirty
app.on_startup.append(on_startup)
app.on_cleanup.append(on_cleanup)
sys.argv = ['localstripe'] + sys.argv[1:]
start()
