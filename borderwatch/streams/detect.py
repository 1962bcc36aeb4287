"""Article in, alerts out: the one code path that the faust agent, replay, eval and tests share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from borderwatch.core import metrics
from borderwatch.core.models import Alert, Article, ArticleRef, Facts, stable_id
from borderwatch.streams.confidence import confidence
from borderwatch.streams.match import CompiledRuleSet, Context, Hit, compile_rules, match
from borderwatch.streams.prefilter import Prefilter
from borderwatch.streams.reading.facts import DocFacts, FactReader
from borderwatch.streams.reading.gazetteer import Gazetteer, GazetteerRuler
from borderwatch.streams.reading.languages.detect import detect as detect_language
from borderwatch.streams.reading.languages.lexicon import LANGUAGES_DIR, load_languages
from borderwatch.streams.reading.languages.reader import ForeignReader, evidence
from borderwatch.streams.reading.languages.screen import LanguageScreen
from borderwatch.streams.rules.load import GAZETTEERS_DIR, RuleSet
from borderwatch.streams.rules.model import Rule
from borderwatch.streams.scope import Scoped, StageClock, read_scoped, timed


@dataclass(frozen=True)
class Analysis:
    article: Article
    doc: Doc
    doc_facts: DocFacts
    hits: list[Hit]

    @property
    def facts(self) -> Facts:
        return self.doc_facts.facts


def alert_group(category: str, facts: Facts, article: Article) -> str:
    """Alerts about the same kind of event in the same countries share a Kafka key (and order)."""
    if facts.countries:
        return f"{category}:{'-'.join(sorted(facts.countries[:3]))}"
    return f"{category}:article-{article.id}"


def build_alerts(
    article: Article, facts: Facts, hits: list[Hit], rules_version: str
) -> list[Alert]:
    """One alert per category per article: the most severe rule that matched speaks for it."""
    best: dict[str, Hit] = {}
    for hit in hits:
        current = best.get(hit.rule.category)
        if current is None or hit.rule.severity.rank > current.rule.severity.rank:
            best[hit.rule.category] = hit
    sure = {
        category: confidence(
            category,
            article,
            facts,
            hit.evidence.sentence,
            [tag for h in hits if h.rule.category == category for tag in h.rule.tags],
            sum(1 for h in hits if h.rule.category == category),
        )
        for category, hit in best.items()
    }
    ref = ArticleRef(
        id=article.id,
        url=article.url,
        title=article.title,
        source=article.source,
        language=article.language,
        published=article.published,
        fetched=article.fetched,
    )
    return [
        Alert(
            alert_id=stable_id("alert", article.id, category),
            group=alert_group(category, facts, article),
            category=category,
            rule_id=hit.rule.id,
            rule_title=hit.rule.title,
            severity=hit.rule.severity,
            article=ref,
            evidence=hit.evidence,
            facts=facts,
            rules_version=rules_version,
            confidence=sure[category].value,
            band=sure[category].band,
            run_id=article.run_id,
        )
        for category, hit in best.items()
    ]


@dataclass
class Detector:
    """The enrichment and matching stage: parse, apply the gazetteers, read facts, match."""

    nlp: Language
    compiled: CompiledRuleSet
    gazetteer: Gazetteer
    ruler: GazetteerRuler
    reader: FactReader
    prefilter: Prefilter
    max_chars: int = 200_000
    foreign: ForeignReader | None = None
    screen: LanguageScreen | None = None  # the prefilter of the languages lexicons read
    scoped: bool = True  # parse only the sentences rules and facts need (``scope``)
    clock: StageClock | None = None  # set to time the stages (the bench)

    @classmethod
    def build(
        cls,
        nlp: Language,
        ruleset: RuleSet,
        rules_dir: Path,
        max_chars: int = 200_000,
        scoped: bool = True,
    ) -> Detector:
        """Assembly from parts already loaded; from settings, use ``checked_detector``."""
        gazetteer = Gazetteer.load(rules_dir / GAZETTEERS_DIR)
        lexicons = load_languages(rules_dir / LANGUAGES_DIR, ruleset.list_languages)
        foreign = ForeignReader(lexicons, gazetteer)
        return cls(
            nlp=nlp,
            compiled=compile_rules(ruleset, nlp),
            gazetteer=gazetteer,
            ruler=gazetteer.annotator(nlp),
            reader=FactReader(nlp, gazetteer, ruleset.cues),
            prefilter=Prefilter(ruleset.rules, nlp, gazetteer),
            max_chars=max_chars,
            foreign=foreign,
            screen=LanguageScreen(foreign, ruleset.categories),
            scoped=scoped,
        )

    @property
    def rules(self) -> RuleSet:
        return self.compiled.ruleset

    def parse(self, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
        """spaCy in batches (``nlp.pipe``), then the gazetteers over its entities."""
        docs = self.nlp.pipe((t[: self.max_chars] for t in texts), batch_size=batch_size)
        for doc in docs:
            yield self.ruler(doc)

    def context(
        self, article: Article, doc: Doc, ranges: tuple[tuple[int, int], ...] | None = None
    ) -> Context:
        with timed(self.clock, "facts and frames"):
            facts = self.reader.extract(doc, article.published)
        return Context(
            doc=doc,
            facts=facts,
            gazetteer=self.gazetteer,
            source=article.source,
            language=article.language,
            published_year=article.published.year if article.published else None,
            ranges=ranges,
        )

    def _analyse(
        self, article: Article, doc: Doc, ranges: tuple[tuple[int, int], ...] | None = None
    ) -> Analysis:
        ctx = self.context(article, doc, ranges)
        with timed(self.clock, "match"):
            hits = match(self.compiled, ctx)
        return Analysis(article, doc, ctx.facts, hits)

    def read_scoped(self, articles: list[Article], batch_size: int = 64) -> list[Scoped | None]:
        """Sentence-scoped reading (``scope``): None for an article no rule can match in."""
        return read_scoped(self.nlp, self.prefilter, self.ruler,
                           [a.body[: self.max_chars] for a in articles],
                           [a.published is not None for a in articles], batch_size,
                           self.clock)  # fmt: skip

    def analyse(self, article: Article) -> Analysis:
        return next(self.analyse_many([article]))

    def language_of(self, article: Article) -> str:
        """The declared language, else the guess (``languages.detect``); 'en' when unsure."""
        readable = self.foreign.lexicons.keys() if self.foreign is not None else ()
        return detect_language(article.body, readable, article.language)

    def _foreign(self, article: Article) -> Article | None:
        """The article with its language set, when it is not English: a lexicon reads it, or
        nothing does (the English parse of another language reads nothing true)."""
        if self.foreign is None:
            return None
        language = self.language_of(article)
        if language == "en":
            return None
        return article if article.language == language else article.model_copy(
            update={"language": language}
        )  # fmt: skip

    def _rules_for(self, language: str) -> dict[str, Rule]:
        """Per category, the most severe rule speaks for the lexicon's hits in ``language``
        (its title, severity and tags), under an id of its own."""
        best: dict[str, Rule] = {}
        for rule in self.rules.rules:
            current = best.get(rule.category)
            if current is None or rule.severity.rank > current.severity.rank:
                best[rule.category] = rule
        return {
            c: r.model_copy(update={"id": f"{c}.{language}", "title": f"{r.title} ({language})"})
            for c, r in best.items()
        }

    def _analyse_foreign(self, foreign: ForeignReader, article: Article, language: str) -> Analysis:
        if not foreign.reads(language):
            # Counted by language, so ops can see what the feeds bring that nobody reads.
            metrics.UNREAD_LANGUAGE.labels(language).inc()
            empty = DocFacts(facts=Facts(), casualties=[], countries=[])
            return Analysis(article, self.nlp.make_doc(""), empty, [])
        rules = self._rules_for(language)
        reading = foreign.read(article, language, rules)
        hits = [Hit(rules[h.category], evidence(h)) for h in reading.hits]
        return Analysis(article, reading.doc, reading.doc_facts, hits)

    def analyse_many(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[Analysis]:
        """Batch through ``nlp.pipe``: several times faster than one call per article.
        Articles a language lexicon reads go by the proximity reader instead."""
        items = list(articles)
        foreign = [self._foreign(a) for a in items]
        english = [a for a, f in zip(items, foreign, strict=True) if f is None]
        docs = self.parse((a.body for a in english), batch_size=batch_size)
        for article, other in zip(items, foreign, strict=True):
            if other is not None and self.foreign is not None:
                yield self._analyse_foreign(self.foreign, other, other.language or "en")
            else:
                yield self._analyse(article, next(docs))

    def alerts(self, article: Article) -> list[Alert]:
        return self.alerts_many([article])[0]

    def alerts_many(
        self,
        articles: list[Article],
        use_prefilter: bool = True,
        batch_size: int = 16,
        scoped: bool | None = None,
    ) -> list[list[Alert]]:
        """Alerts per article. The prefilter keeps spaCy off articles no rule could match;
        the rest are parsed in one ``nlp.pipe`` batch: only the sentences rules and facts
        need (``scoped``, default the detector's; never without the prefilter), or all."""
        scoped = (self.scoped if scoped is None else scoped) and use_prefilter
        with timed(self.clock, "prefilter"):
            foreign = [self._foreign(a) for a in articles]
            screen = self.screen  # a language's own prefilter (``languages.screen``)
            keep = [not use_prefilter or (self.prefilter.passes(a.body) if f is None else
                    screen is None or screen.passes(a.body, f.language or ""))
                    for a, f in zip(articles, foreign, strict=True)]  # fmt: skip
        if self.clock is not None:
            self.clock.articles += len(articles)
            self.clock.passing += sum(1 for k, f in zip(keep, foreign, strict=True) if k and not f)
        kept = [a for a, k in zip(articles, keep, strict=True) if k]
        if not scoped:
            if use_prefilter:
                metrics.PREFILTERED.inc(keep.count(False))
            parsed = iter(self.analyse_many(kept, batch_size=batch_size))
            analyses: list[Analysis | None] = [next(parsed) if k else None for k in keep]
        else:
            analyses = self._analyse_scoped(articles, keep, foreign, batch_size)
            metrics.PREFILTERED.inc(analyses.count(None))
        return [
            build_alerts(a.article, a.facts, a.hits, self.compiled.version) if a else []
            for a in analyses
        ]

    def _analyse_scoped(
        self,
        articles: list[Article],
        keep: list[bool],
        foreign: list[Article | None],
        batch_size: int,
    ) -> list[Analysis | None]:
        """Per article: None when nothing was parsed (no rule can match), else its analysis."""
        english = [a for a, k, f in zip(articles, keep, foreign, strict=True) if k and f is None]
        readings = iter(self.read_scoped(english, batch_size=max(64, batch_size)))
        out: list[Analysis | None] = []
        for article, k, other in zip(articles, keep, foreign, strict=True):
            if not k:
                out.append(None)
            elif other is not None and self.foreign is not None:
                out.append(self._analyse_foreign(self.foreign, other, other.language or "en"))
            elif (reading := next(readings)) is None:
                out.append(None)
            else:
                out.append(self._analyse(article, reading.doc, reading.ranges))
        return out
