"""Top-level GraphQL errors: only unauthenticated, forbidden fields, bad arguments.

Business failures of mutations are values (UserError in the payload), not these.
"""

from graphql import GraphQLError


class CodedError(GraphQLError):
    code = "INTERNAL"

    def __init__(self, message: str, **kwargs) -> None:
        super().__init__(message, extensions={"code": self.code}, **kwargs)


class Unauthenticated(CodedError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Sign in to read this.") -> None:
        super().__init__(message)


class Forbidden(CodedError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "You may not read this field.") -> None:
        super().__init__(message)


class BadArgument(CodedError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.extensions["field"] = field
