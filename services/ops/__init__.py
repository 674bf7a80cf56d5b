"""What operators watch and do: throughput, queue depths, failures, and retrying a parked file."""
