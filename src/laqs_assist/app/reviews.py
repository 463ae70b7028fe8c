"""School reviews for every front end: the review desk of session/school_review.py, which records a review, and
the review's report written as a Word document."""

from __future__ import annotations

from ..session.school_review import DEFAULT_REVIEW_PACK, Activity, DayPlan, PlanRow, Standing, open_review_pack  # noqa: F401
from ..session.school_review import ReviewDesk as _Desk


class ReviewDesk(_Desk):
    """The review desk with the one thing a record keeper cannot do: write the report (notes/review_report.py)."""

    def write_report(self, ref: str, out_path: str | None = None, overwrite: bool = False,
                     template: str | None = None) -> str:
        from ..notes.review_report import write_review_report

        r = self.get(ref)
        return str(write_review_report(self.store, self.pack_of(r), r["id"], out_path, overwrite=overwrite,
                                       template=template))


__all__ = ["Activity", "DEFAULT_REVIEW_PACK", "DayPlan", "PlanRow", "ReviewDesk", "Standing", "open_review_pack"]
