"""Hopper's process-wide core: settings read from the environment, the embedded Redis
and the supervisor that runs web + worker + beat. Every other package may import it;
it imports none of them."""
