// Tests that talk to real servers get a longer per-test deadline than pure unit tests.
jest.setTimeout(120_000);
