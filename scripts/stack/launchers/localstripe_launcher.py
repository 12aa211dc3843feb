"""
localstripe with its store in the stack's state directory, written at most every
LOCALSTRIPE_FLUSH_MS and when the server stops.

localstripe keeps its store in a fixed /tmp/localstripe.pickle, rewritten whole on every
change: two stacks would share it, a stop mid-write leaves a truncated file that fails
the next start, and one payment (intent, charge, balance transaction, ...) rewrites a
store of a few MB several times -- at a few thousand payments that capped localstripe at
4 payments/s with its CPU mostly idle. This launcher keeps the store in LOCALSTRIPE_STORE,
writes it atomically, at most every LOCALSTRIPE_FLUSH_MS (on the server's own event loop,
so never mid-change) and at most a tenth of the time (a write of a large store takes tens
of milliseconds), and once more when the server stops. And it lists the objects of one
type from an index of the store's keys: localstripe read the whole store for every list,
and showing a charge lists its refunds twice, so a confirm took 81 ms at 1,200 payments
stored (now 2.7 ms).

It also speaks two more of Stripe's test-mode habits, so the same payment method ids and
webhooks work locally and on Stripe: `pm_card_authenticationRequired` is a card that needs
3-D Secure (localstripe knows only three special ids; this maps it to 4000002760003184,
which localstripe treats as needing authentication), and a refused authentication sends
`payment_intent.payment_failed`, an authorized manual-capture intent
`payment_intent.amount_capturable_updated` (localstripe sends neither).

Usage: LOCALSTRIPE_STORE=<file> python3 localstripe_launcher.py --port 8420
"""
import asyncio, os, pickle, sys, time
from localstripe import resources
canonical = resources.PaymentMethod._try_get_canonical_test_article.__func__
def test_article(cls, id):
    if id == 'pm_card_authenticationRequired':
        return resources.PaymentMethod(type='card', card=dict(number='4000002760003184', exp_month='12', exp_year='2030', cvc='123'))
    return canonical(cls, id)
resources.PaymentMethod._try_get_canonical_test_article = classmethod(test_article)
authenticate = resources.PaymentIntent._api_authenticate.__func__
def authenticate_and_tell(cls, id, client_secret=None, success=False, **kwargs):
    obj = authenticate(cls, id, client_secret=client_secret, success=success, **kwargs)
    if obj.status == 'requires_payment_method':
        resources.schedule_webhook(resources.Event('payment_intent.payment_failed', obj))
    elif obj.status == 'requires_capture':
        resources.schedule_webhook(resources.Event('payment_intent.amount_capturable_updated', obj))
    return obj
resources.PaymentIntent._api_authenticate = classmethod(authenticate_and_tell)
# The server binds its routes from extra_apis when it is imported: point that route at the new one.
resources.extra_apis[:] = [(m, u, resources.PaymentIntent._api_authenticate if u.endswith('/_authenticate') and 'payment_intents' in u else f) for m, u, f in resources.extra_apis]
from localstripe.server import app, start  # noqa: E402 (after the patches above)
# The store's keys of each object type ('charge', 'refund', ...), in the order they were
# stored: listing one type read every object of the store (a charge's refunds, listed
# twice each time a charge is shown, so every confirm read the whole store).
keys_of_type = {}
def keys_of(key):
    kind, colon, _ = key.partition(':')
    return keys_of_type.setdefault(kind, {}) if colon else {}
def list_all(cls, url, limit=None, starting_after=None, **kwargs):
    if kwargs:
        raise resources.UserError(400, 'Unexpected ' + ', '.join(kwargs.keys()))
    li = resources.List(url, limit=limit, starting_after=starting_after)
    li._list = [resources.store[key] for key in keys_of_type.get(cls.object, ())]
    return li
resources.StripeObject._api_list_all = classmethod(list_all)
path = os.environ['LOCALSTRIPE_STORE']
interval = int(os.environ.get('LOCALSTRIPE_FLUSH_MS', '250')) / 1000
# A write pickles the whole store (~60 ms at 1,200 payments, on the event loop): the next
# one waits at least this many times as long, so writing takes at most a tenth of the time.
WRITE_SHARE_INVERSE = 9
dirty = False
def load(self):
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f)
        self.clear()
        self.update(data)
    except (FileNotFoundError, EOFError, pickle.UnpicklingError):
        pass
    keys_of_type.clear()
    for key in self:
        keys_of(key)[key] = None
def write():
    """Writes the store if it changed; returns the seconds that took."""
    global dirty
    if not dirty:
        return 0
    dirty = False
    started = time.perf_counter()
    with open(path + '.tmp', 'wb') as f:
        pickle.dump(resources.store, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + '.tmp', path)
    return time.perf_counter() - started
def mark_dirty(self):
    global dirty
    dirty = True
def set_item(self, key, value):
    dict.__setitem__(self, key, value)
    keys_of(key)[key] = None
    mark_dirty(self)
def del_item(self, key):
    dict.__delitem__(self, key)
    keys_of(key).pop(key, None)
    mark_dirty(self)
async def flush_periodically():
    wait = interval
    while True:
        await asyncio.sleep(wait)
        wait = max(interval, WRITE_SHARE_INVERSE * write())
async def on_startup(app):
    app['flusher'] = asyncio.ensure_future(flush_periodically())
async def on_cleanup(app):
    app['flusher'].cancel()
    write()
resources.Store.try_load_from_disk = load
resources.Store.dump_to_disk = mark_dirty  # after every change, and after every POST (objects change in place)
resources.Store.__setitem__ = set_item
resources.Store.__delitem__ = del_item
app.on_startup.append(on_startup)
app.on_cleanup.append(on_cleanup)
sys.argv = ['localstripe'] + sys.argv[1:]
start()
