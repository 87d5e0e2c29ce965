"""The jobs package's two exceptions."""


class JobError(Exception):
    """A failure the job reports as its error and never retries: bad input, a refusing edge."""


class JobNotFoundError(LookupError):
    """No job under that id (or an id that could never name one)."""
