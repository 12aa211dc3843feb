/**
 * The gateway benchmark's "servers taken out" run: the real gateway, with the two writes
 * of a POST /v1/bookings answered in this process instead of by their servers, so the
 * POST's latency can be measured without moto's and FerretDB's CPU on the machine:
 * - the booking's insert (`insertMany` on the `bookings` collection, FerretDB) is
 *   answered as acknowledged;
 * - the intake's `SendMessageBatch` (moto) is answered with every entry stored.
 * Both answer at once, in the next turn of the event loop. Everything else is as the
 * product runs it: every other call reaches its server (the start-up, the catalogue and
 * token reads the gateway caches, client registration). Nothing it "stored" exists, so
 * nothing is left to clean up; no dispatcher runs in the gateway benchmark.
 */
import './answer-writes';
import '../../src/gateway/main';
