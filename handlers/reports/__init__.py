"""Unit reports: the guided questionnaire, the review screen and the Office's accept/return."""
