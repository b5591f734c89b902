"""AUTH-3: the fixed list of security questions, and how answers are compared."""

from __future__ import annotations

import re
import unicodedata

QUESTIONS: dict[str, str] = {
    "FIRST_PET": "What was the name of your first pet?",
    "BIRTH_CITY": "In what city were you born?",
    "FIRST_SCHOOL": "What was the name of your first school?",
    "CHILDHOOD_FRIEND": "What was the first name of your childhood best friend?",
    "FIRST_CAR": "What was the make of your first car?",
    "MOTHER_BIRTH_CITY": "In what city was your mother born?",
    "FIRST_JOB": "Where did you work at your first job?",
    "FAVORITE_TEACHER": "What was the last name of your favorite teacher?",
    "FIRST_STREET": "On what street did you live as a child?",
    "WEDDING_CITY": "In what city did you meet your spouse or partner?",
}
QUESTIONS_PER_ACCOUNT = 3
MAX_ANSWER_LENGTH = 200
_SPACES = re.compile(r"\s+")


def normalize(answer: str) -> str:
    """Answers match whatever the case, accents' composition and spacing: "  New  York"
    and "new york" are one answer. Only this form is hashed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", answer).casefold()).strip()
