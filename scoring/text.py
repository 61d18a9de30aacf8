"""TF-IDF text similarity (:class:`TextSimilarity`), a scikit-learn estimator.

Kept apart from :mod:`scoring.similarity` because importing
``sklearn.feature_extraction.text`` costs about a second of CPU: only building a feature
space (or a notebook) needs it. Serving needs the fitted matrix and its terms only, which
are plain arrays (see :func:`scoring.similarity.top_shared_terms`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from scoring.similarity import top_shared_terms

__all__ = ["TextSimilarity"]


class TextSimilarity(BaseEstimator):
    """TF-IDF cosine similarity between short descriptions (solutions, cities, experts).

    Parameters
    ----------
    min_df : int or float, default 1
        Keep terms found in at least this many documents. 1 suits small corpora (hundreds
        of descriptions); raise it to 2 for thousands.
    max_df : float, default 1.0
        Drop terms found in more than this share of documents (1.0 keeps all; stop words are
        removed anyway).
    ngram_range : tuple of int, default (1, 2)
        Unigrams and bigrams.
    stop_words : str or None, default "english"
    sublinear_tf : bool, default True
        Use ``1 + log(tf)``.

    Attributes
    ----------
    vectorizer_ : sklearn.feature_extraction.text.TfidfVectorizer
    matrix_ : scipy.sparse.csr_array, shape (n_docs, n_terms)
        L2-normalised TF-IDF rows of the fitted documents (empty documents give zero rows).
    terms_ : numpy.ndarray of str

    Examples
    --------
    >>> docs = ["smart parking sensors", "parking sensors for streets",
    ...         "air quality monitoring", "air quality sensors", "open data portal"]
    >>> ts = TextSimilarity().fit(docs)
    >>> sim = ts.similarity([0], None)
    >>> int(sim[0].argsort()[-2]), float(sim[0, 4])
    (1, 0.0)
    >>> [t for t, _ in ts.top_terms(0, 1, k=3)]
    ['parking', 'parking sensors', 'sensors']
    """

    def __init__(
        self,
        min_df: int | float = 1,
        max_df: float = 1.0,
        ngram_range: tuple[int, int] = (1, 2),
        stop_words: str | None = "english",
        sublinear_tf: bool = True,
    ) -> None:
        self.min_df = min_df
        self.max_df = max_df
        self.ngram_range = ngram_range
        self.stop_words = stop_words
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str], y: Any = None) -> TextSimilarity:
        """Learn the vocabulary and IDF of ``texts`` and store their vectors in ``matrix_``.

        ``None`` entries are treated as empty strings. Raises ``ValueError`` if no document
        has a usable term.
        """
        docs = _clean_texts(texts)
        vec = TfidfVectorizer(
            min_df=self.min_df,
            max_df=self.max_df,
            ngram_range=self.ngram_range,
            stop_words=self.stop_words,
            sublinear_tf=self.sublinear_tf,
            norm="l2",
            dtype=np.float64,
        )
        try:
            M = vec.fit_transform(docs)
        except ValueError as e:  # empty vocabulary
            raise ValueError(
                "no usable terms in texts (all empty or stop words); give descriptions"
            ) from e
        self.vectorizer_ = vec
        self.matrix_ = sp.csr_array(M)
        self.terms_ = vec.get_feature_names_out()
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_array:
        """L2-normalised TF-IDF vectors of new texts in the fitted vocabulary."""
        check_is_fitted(self, "matrix_")
        return sp.csr_array(self.vectorizer_.transform(_clean_texts(texts)))

    def similarity(
        self, rows_a: Sequence[int] | None = None, rows_b: Sequence[int] | None = None
    ) -> NDArray[np.float64]:
        """Cosine similarity between fitted documents ``rows_a`` and ``rows_b`` (all if None).

        Returns a dense array of shape ``(len(rows_a), len(rows_b))``.
        """
        check_is_fitted(self, "matrix_")
        A = self.matrix_ if rows_a is None else self.matrix_[np.asarray(rows_a, dtype=np.intp)]
        B = self.matrix_ if rows_b is None else self.matrix_[np.asarray(rows_b, dtype=np.intp)]
        return np.asarray((A @ B.T).toarray())

    def similarity_to(
        self, texts: Sequence[str], rows: Sequence[int] | None = None
    ) -> NDArray[np.float64]:
        """Cosine similarity of new ``texts`` to fitted documents ``rows`` (all if None)."""
        Q = self.transform(texts)
        B = self.matrix_ if rows is None else self.matrix_[np.asarray(rows, dtype=np.intp)]
        return np.asarray((Q @ B.T).toarray())

    def top_terms(self, i: int, j: int, k: int = 3) -> list[tuple[str, float]]:
        """Shared terms contributing most to the cosine of fitted documents ``i`` and ``j``.

        The contribution of term ``t`` is ``v_i[t] * v_j[t]``; all contributions sum to the
        cosine. Returns up to ``k`` ``(term, contribution)`` pairs ordered by
        ``(-contribution, term)``.
        """
        check_is_fitted(self, "matrix_")
        return top_shared_terms(self.matrix_, i, self.matrix_, j, self.terms_, k)


def _clean_texts(texts: Iterable[str | None]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    return ["" if t is None else str(t) for t in texts]
