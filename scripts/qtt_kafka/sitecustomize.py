"""QTT on Kafka: in each conformance worker process, every new ksql_magic.Engine (one per
case) gets a fresh private Tansu broker, passed through KSQL_MAGIC_BOOTSTRAP (the Engine's
default bootstrap when none is given), so no topic, data or group offset leaks between cases."""
import atexit, os, sys
if "--worker" in sys.argv:
    import kafka_support
    import ksql_magic.engine as _eng
    _current = []
    _init = _eng.Engine.__init__

    def _fresh_broker_init(self, *a, **kw):
        while _current:
            _current.pop().stop()
        b = kafka_support.TansuBroker().start()
        _current.append(b)
        os.environ["KSQL_MAGIC_BOOTSTRAP"] = b.bootstrap
        _init(self, *a, **kw)

    _eng.Engine.__init__ = _fresh_broker_init
    atexit.register(lambda: [b.stop() for b in _current])
