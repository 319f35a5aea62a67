#!/usr/bin/env python3
"""Generate large Hugging Face "Daily Papers" text dumps shaped like `../shared/seeds/*.txt`.

Benchmarks need 100k papers; the real seeds hold 270. The output copies the seeds' layout line
for line (page header; per entry a title, a one-line abstract and an optional metadata block of
author count or organization, `·`, date with optional upvotes) and their statistics: titles of
6-15 words with colons, brackets, digits and questions; ~1.6 KB abstracts whose words follow a
Zipf law over a few thousand ML words, plus an invented method name per paper, so that the
vocabulary keeps growing with the corpus as a real one does; ~10% of entries without metadata;
~5% of entries repeating an earlier paper, as papers recur across real pages.

The dump has no arXiv id, so a paper's identity is its normalized title: titles are made unique
(a disambiguator is appended on a clash), hence `--papers N` gives exactly N distinct papers.
The page year is 2025: yearless dates fall in Jan-Sep 2025, before every page date (Oct-Dec);
explicit years are earlier. Words come from the seeds when present, else from a built-in list;
the output is deterministic for a given `--seed` and word source. Stdlib only.

    python bench/generate_corpus.py --papers 100000 --out bench/out/corpus.txt
    python bench/generate_corpus.py --papers 100000 --files 200 --out bench/out/pages/
"""

from __future__ import annotations

import argparse
import array
import calendar
import itertools
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TextIO

SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
PAGE_YEAR = 2025
HEADER = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
]
MONTHS = [calendar.month_abbr[m] for m in range(1, 13)]

# Shares of entries, measured on the seeds (or set by the brief where one seed page is atypical).
NO_METADATA = 0.10
ORG_LINE = 0.08
YEARLESS = 0.28
UPVOTES = 0.23
REPEAT = 0.05
YEARS = {2024: 60, 2023: 26, 2022: 7, 2021: 3, 2020: 2, 2019: 1, 2018: 0.5, 2017: 0.5}
AUTHORS = {1: 3, 2: 13, 3: 24, 4: 34, 5: 29, 6: 19, 7: 17, 8: 25, 9: 11, 10: 10, 11: 4, 12: 4, 13: 4, 14: 3,
           15: 2, 16: 3, 18: 2, 20: 2, 24: 1, 31: 1, 47: 0.5, 120: 0.2}  # fmt: skip
ORGS = [
    "google Google", "naver-ai NAVER AI Lab", "microsoft Microsoft", "facebook AI at Meta", "nvidia NVIDIA",
    "allenai Ai2", "deepseek-ai DeepSeek", "Qwen Qwen", "apple Apple", "amazon Amazon", "ibm-granite IBM Granite",
    "huggingface Hugging Face", "mistralai Mistral AI", "openbmb OpenBMB", "Salesforce Salesforce",
    "tencent Tencent", "ByteDance-Seed ByteDance Seed", "intel Intel", "SakanaAI Sakana AI",
    "CohereForAI Cohere For AI", "THUDM Knowledge Engineering Group (KEG) & Data Mining at Tsinghua University",
]  # fmt: skip

# Title glue and abstract sentence openers; the content words come from the vocabulary.
CONNECTORS = ["for", "with", "via", "of", "in", "and", "from", "to", "on", "under", "without", "through", "using",
              "by", "as", "beyond", "towards", "for", "with", "of", "and", "in"]  # fmt: skip
TITLE_LEADS = ["A", "An", "The", "Towards", "On the", "Rethinking", "Scaling", "Learning to", "Revisiting",
               "Understanding", "Efficient", "Beyond", "When", "Unveiling", "Exploring"]  # fmt: skip
QUESTION_LEADS = ["Can", "Do", "Does", "How Well Do", "Is", "Are", "Why Do", "What Makes", "When Does", "How Much"]
OPENERS = ["", "", "", "", "", "", "We", "In this paper, we", "However,", "To address this, we", "Specifically,",
           "Moreover,", "Furthermore,", "Our method", "This work", "Recent work", "Existing methods",
           "Unlike prior work,", "Extensive experiments show that", "Empirically,", "Theoretically,", "Finally, we",
           "In particular,", "As a result,", "Compared to strong baselines,", "Building on this,"]  # fmt: skip
INTRODUCTIONS = ["We propose {name}, a {a} {b} method for {c}.", "We introduce {name}, which {b} {a} with {c}.",
                 "In this paper, we present {name} for {a} {c}.",
                 "To this end, we develop {name}, a {c} {a} {b}."]  # fmt: skip
ABSTRACT_MAX = 1920  # arXiv's limit, and the seeds' maximum
NAME_SUFFIXES = ["2", "3", "-2", "-R1", "v2", "-7B", "-X", "++", "^2", "-Zero", "-VL", "1.5"]
NAME_ACRONYMS = ["LLM", "RAG", "ViT", "MoE", "GPT", "VLM", "RL", "KV", "QA", "3D", "LM", "NAS", "GNN", "OCR"]


def _words(text: str) -> list[str]:
    return text.split()


# The built-in vocabulary, for machines without ../shared: base words, roughly most frequent first.
FUNCTION_WORDS = _words("""the and of to a in for on that we with is by as this from are an our which can at
their or have such be these it more across while using than both not into its has through without over only
also been other between under each when where most how all two three however but new further them they may
up via per within upon among whether then thus often even well very much many same different""")
NOUNS = _words("""model data language performance training task method approach result generation code
network benchmark dataset parameter inference framework representation accuracy reasoning attention layer
token prompt agent policy reward graph image video text feature loss gradient optimization distribution
sample quality memory cost efficiency algorithm analysis evaluation experiment baseline architecture
transformer encoder decoder embedding retrieval knowledge alignment preference instruction context sequence
structure domain objective function problem solution space rank matrix weight activation head expert mixture
scale size compute budget step rate error noise signal query document corpus vocabulary output input
capability ability property behavior limitation challenge improvement advantage insight finding theory bound
guarantee convergence regularization normalization quantization pruning distillation compression adaptation
transfer generalization robustness uncertainty calibration safety privacy fairness bias explanation
interpretability user human annotation label supervision feedback trajectory environment state action game
robot navigation planning search tree node edge path program synthesis execution test verification proof
theorem question answer dialogue conversation speech audio music molecule protein cell patient report
diagnosis scene object segmentation detection tracking pose depth camera pixel patch resolution diffusion
flow score kernel estimator sampler variance likelihood posterior prior variable process system pipeline
module component block unit operator hardware throughput latency speedup accelerator device cluster
communication parallelism schedule curriculum recipe strategy mechanism design principle paradigm family
variant version suite library toolkit platform interface metric protocol study survey review case setting
scenario regime level stage phase round iteration epoch batch window length horizon width""")
VERBS = _words("""propose show demonstrate achieve improve outperform introduce present use train learn
evaluate reduce enable provide require generate leverage design develop study explore investigate analyze
identify capture predict estimate optimize adapt transfer scale compress prune quantize distill align
retrieve rank encode decode construct extend apply combine integrate incorporate compare observe find reveal
suggest establish prove derive characterize address tackle mitigate alleviate overcome preserve maintain
exploit enhance boost accelerate support release measure quantify validate verify surpass match remain rely
depend focus aim allow yield lead produce obtain select filter curate annotate label fine-tune pretrain
initialize update converge approximate solve search plan reason follow recognize detect segment track render
reconstruct simulate translate summarize answer execute""")
ADJECTIVES = _words("""large small novel efficient effective robust scalable simple strong significant
existing previous recent various multiple single high low long short deep shallow sparse dense linear
nonlinear optimal suboptimal general specific diverse complex challenging practical theoretical empirical
extensive comprehensive competitive superior comparable consistent substantial limited critical key
important fundamental natural visual multimodal multilingual generative discriminative autoregressive
contrastive supervised unsupervised self-supervised semi-supervised pretrained fine-grained coarse
hierarchical adaptive dynamic static latent explicit implicit global local temporal spatial structural
semantic syntactic numerical symbolic neural probabilistic stochastic deterministic Bayesian causal factual
faithful harmful safe private federated distributed parallel real-world open-source state-of-the-art
zero-shot few-shot in-context long-context low-rank high-quality lightweight memory-efficient
parameter-efficient training-free task-agnostic end-to-end off-the-shelf downstream additional overall final
initial original standard common typical broad rich rare noisy clean accurate reliable stable unstable fast
cheap costly significantly substantially consistently effectively efficiently typically largely widely
notably particularly especially directly jointly simultaneously empirically theoretically remarkably""")
ACRONYMS = _words("""LLM LLMs VLM VLMs MLLM RL RLHF DPO PPO GPT-4 GPT-4o LLaMA Llama-2 Llama-3 Qwen Qwen2.5
Mistral BERT T5 ViT CLIP GAN VAE MoE LoRA QLoRA PEFT RAG CoT KV GPU GPUs TPU FLOPs CNN RNN LSTM GNN GNNs NLP
ASR TTS OCR QA VQA SFT ICL NTK SGD Adam AdamW MLP FFN BLEU ROUGE F1 AUC MMLU GSM8K HumanEval ImageNet COCO
WikiText C4 PyTorch JAX CUDA FPGA API APIs SOTA 3D 2D 4-bit 8-bit FP8 INT4 Transformer Transformers
Gaussian Markov Hessian Fisher Wasserstein""")
NAME_PIECES = _words("""Quant Flow Prune Mix Align Fusion Former Net Gen Bench Lens Guard Tune Scale Sparse
Lo Ra Star Omni Meta Auto Deep Fast Flash Long Mem Graph Code Math Reason Agent Vision Diff Token Attn Hyper
Neo Open Tiny Mini Mega Turbo Lite Hydra Orca Falcon Phoenix Atlas Echo Nova Pixel Voxel Wave Chain Tree
Loop Step Path Route Shift Swap Mask Cross Dual Tri Uni Poly Multi Self Co Re Pro Evo Med Bio Chem Geo
Eco Edge Cloud Fed Safe Trust Fair Prism Lumen Aurora Kite Sage Muse""")
_WORD = re.compile(r"[^\W\d_](?:[\w'-]{0,28}\w)?")
_NON_WORD = re.compile(r"[\W_]+")


class ZipfSampler:
    """Draws words with Zipf-Mandelbrot frequencies by rank, about 20x faster than `random.choices`.

    A 65,536-slot table holds each word in proportion to its weight (at least once, so the
    tail survives), and one `getrandbits` call yields every 16-bit index an abstract needs.
    """

    SLOTS = 1 << 16

    def __init__(self, ranked: Sequence[str], exponent: float = 1.05, shift: float = 2.7) -> None:
        self.words = list(dict.fromkeys(ranked))[: self.SLOTS // 2]
        cumulative = list(itertools.accumulate(1.0 / (rank + shift) ** exponent for rank in range(len(self.words))))
        spare = self.SLOTS - len(self.words)
        table: list[str] = []
        for rank, (word, upto) in enumerate(zip(self.words, cumulative, strict=True)):
            table += [word] * (rank + 1 + round(upto / cumulative[-1] * spare) - len(table))
        self.table = table

    def draw(self, rng: random.Random, count: int) -> list[str]:
        count = max(count, 2)  # itemgetter of one index returns a bare item
        indices = array.array("H", rng.getrandbits(16 * count).to_bytes(2 * count, "little"))
        if sys.byteorder == "big":
            indices.byteswap()
        return list(itemgetter(*indices)(self.table))


@dataclass(frozen=True)
class Vocabulary:
    """Running-text words; title noun phrases as modifiers + head ("Low-Rank" "Adaptation"); acronyms."""

    words: ZipfSampler
    modifiers: ZipfSampler
    heads: ZipfSampler
    title_content: ZipfSampler
    acronyms: list[str]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word[:-1] + "ies" if word.endswith("y") and word[-2] not in "aeiou" else word + "s"


def _verb_forms(verb: str) -> list[str]:
    stem = verb[:-1] if verb.endswith("e") else verb
    past = verb[:-1] + "ied" if verb.endswith("y") and verb[-2] not in "aeiou" else stem + "ed"
    return [verb, _plural(verb), past, stem + "ing"]


def builtin_ranked_words() -> list[str]:
    """The built-in words with inflected and compound forms (`token-level`, `cross-domain`), ~2,500 in all.

    Function words rank first, as they dominate running text; compounds form the rarer tail.
    """
    nouns = [form for noun in NOUNS for form in (noun, _plural(noun))]
    verbs = [form for verb in VERBS for form in _verb_forms(verb)]
    content = [w for group in itertools.zip_longest(nouns, verbs, ADJECTIVES) for w in group if w]
    compounds = [
        f"{noun}-{suffix}" for noun in NOUNS[:120] for suffix in ("based", "level", "aware", "free", "specific")
    ]
    compounds += [f"{prefix}-{noun}" for noun in NOUNS[:100] for prefix in ("multi", "cross", "self", "pre", "non")]
    return list(dict.fromkeys(FUNCTION_WORDS + ACRONYMS[:12] + content + ACRONYMS[12:] + compounds))


def seed_ranked_words(seeds: Sequence[Path]) -> tuple[list[str], list[str], list[str]]:
    """Abstract words, title modifiers and title heads of the seed pages, each ranked by frequency.

    A title splits into noun phrases at connectors and punctuation; the last word of a phrase
    is its head (`Models`), the others modifiers (`Large Language`). Capitalised abstract words
    that also occur in lower case were sentence starts and are folded; acronyms keep their case.
    """
    words: Counter[str] = Counter()
    modifiers: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    glue = {w.lower() for w in FUNCTION_WORDS + CONNECTORS + QUESTION_LEADS}
    for path in seeds:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if len(line) < 300 or i < 2:  # not an abstract, two lines below its title
                continue
            words.update(_WORD.findall(line))
            title = lines[i - 2].split(": ", 1)[-1]
            for phrase in re.split(r"[:,?!()\[\]]| -+ ", title):
                run: list[str] = []
                for word in [*phrase.split(), "and"]:
                    if word.lower() not in glue and _WORD.fullmatch(word):
                        run.append(word)
                    elif run:
                        modifiers.update(run[:-1])
                        heads[run[-1]] += 1
                        run = []
    lower = {w for w in words if w.islower()}
    folded: Counter[str] = Counter()
    for word, count in words.items():
        if len(word) > 1 or word in "ak":
            folded[word.lower() if word.lower() in lower else word] += count
    return _ranked(folded), _ranked(modifiers), _ranked(heads)


def _ranked(counts: Counter[str]) -> list[str]:
    return [w for w, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def load_vocabulary(seeds_dir: Path | None = SEEDS_DIR) -> Vocabulary:
    """The seeds' words when `seeds_dir` holds seed pages, else the built-in ones."""
    seeds = sorted(seeds_dir.glob("*.txt")) if seeds_dir and seeds_dir.is_dir() else []
    words, modifiers, heads = seed_ranked_words(seeds)
    if not (words and modifiers and heads):  # no seeds, or no entries in them
        words = builtin_ranked_words()
        modifiers = [_title_case(w) for w in ADJECTIVES[:150] + NOUNS[:60] + ACRONYMS[:30]]
        heads = [_title_case(w) for noun in NOUNS for w in (noun, _plural(noun))]
    # Any content word may also turn up in a title now and then, for variety.
    stop = {w.lower() for w in FUNCTION_WORDS + CONNECTORS}
    content = [_title_case(w) for w in words if w.lower() not in stop] or heads
    acronyms = [w for w in words if sum(c.isupper() for c in w) >= 2][:300] or ACRONYMS
    return Vocabulary(ZipfSampler(words), ZipfSampler(modifiers), ZipfSampler(heads), ZipfSampler(content), acronyms)


def _title_case(word: str) -> str:
    return word[0].upper() + word[1:]


def _running_case(word: str) -> str:
    """`Low-Rank` -> `low-rank` in running text, but `LoRA` and `GPT-4` stay as they are."""
    return word.lower() if all(part[1:].islower() or len(part) < 2 for part in word.split("-")) else word


def _normalize(title: str) -> str:
    """The same folding as `broadsheet.model.normalize_title`, restated to stay standalone."""
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", title).casefold()).split())


class _PaperMaker:
    """Makes one paper at a time from a single random stream, hence deterministic."""

    def __init__(self, rng: random.Random, vocab: Vocabulary) -> None:
        self.rng = rng
        self.vocab = vocab
        self.seen: set[str] = set()
        self.author_counts, self.author_weights = list(AUTHORS), list(itertools.accumulate(AUTHORS.values()))
        self.years, self.year_weights = list(YEARS), list(itertools.accumulate(YEARS.values()))

    def paper(self) -> tuple[str, str | None]:
        """(title and abstract, metadata block or None) of a new, distinct paper."""
        name = self.name()
        key = [self.noun_phrase() for _ in range(3)]
        title = self.title(name, key)
        # The abstract repeats the title's key words, in running-text case.
        topic = [_running_case(w) for phrase in key for w in phrase.split()]
        return f"{title}\n\n{self.abstract(name, topic)}", self.metadata()

    def name(self) -> str:
        """An invented method name such as `QuantMix`, `ORCAGR`, `Tree-RAG` or `EvoLens2`.

        One per paper, mostly new: they are the long tail that makes a real vocabulary grow.
        """
        rng = self.rng
        first, second = rng.choice(NAME_PIECES), rng.choice(NAME_PIECES + NAME_ACRONYMS)
        shape = rng.random()
        if shape < 0.35:
            return first + second
        if shape < 0.55:
            return (first + second).upper()[: rng.randint(3, 7)]
        if shape < 0.75:
            return f"{first}-{rng.choice(NAME_ACRONYMS)}"
        return first + second + rng.choice(NAME_SUFFIXES)

    def noun_phrase(self) -> str:
        """0-3 modifiers and a head: `Head`, `Low-Rank Adaptation`, `Large Language Models`."""
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), cum_weights=(25, 70, 93, 100))[0]
        words = [*self.vocab.modifiers.draw(rng, count)[: count - 1], self.vocab.heads.draw(rng, 2)[0]]
        if rng.random() < 0.2:
            words[rng.randrange(count)] = self.vocab.title_content.draw(rng, 2)[0]
        return " ".join(dict.fromkeys(words))

    def phrase(self, key: Sequence[str], extra: int) -> str:
        """Noun phrases glued by connectors: `Sparse Attention via Low-Rank Projection for LLMs`."""
        rng = self.rng
        phrases = [*key, *(self.noun_phrase() for _ in range(extra))]
        glued = [phrases[0]]
        for phrase in phrases[1:]:
            glued += [rng.choice(CONNECTORS), phrase]
        return " ".join(glued)

    def title(self, name: str, key: list[str]) -> str:
        """Title shapes in about the seeds' proportions, made unique."""
        rng = self.rng
        key = key[: rng.choice((1, 2, 3, 3))]
        extra = rng.choice((0, 1, 1))
        roll = rng.random()
        if roll < 0.55:
            title = f"{name}: {self.phrase(key, extra)}"
        elif roll < 0.63:
            title = f"{self.phrase(key[:1], 0)}: {self.phrase(key[1:], 1 + extra)}"
        elif roll < 0.68:
            title = f"{rng.choice(QUESTION_LEADS)} {self.phrase(key, extra)}?"
        elif roll < 0.71:
            title = f"{self.phrase(key, extra)} ({rng.choice(self.vocab.acronyms)})"
        elif roll < 0.72:
            title = f"[Re] {self.phrase(key, 1)}"
        else:
            phrase = self.phrase(key, extra)
            lead = rng.choice(TITLE_LEADS)
            if lead in ("A", "An"):
                lead = "An" if phrase[0] in "AEIOU" else "A"
            title = f"{lead} {phrase}"
        if rng.random() < 0.06 and not title.endswith("?"):
            amount = rng.choice(["175B Parameters", "1M Tokens", "100 Languages", "4 Bits", "8 GPUs", "3 Hours"])
            title += f" {rng.choice(['at', 'to', 'with', 'in', 'on'])} {amount}"
        if rng.random() < 0.05:  # sentence case, as some authors write it
            first, *rest = title.split(" ")
            title = " ".join([first, *map(_running_case, rest)])
        return self.unique(title)

    def unique(self, title: str) -> str:
        """Identity is the normalized title, so a clash gets a disambiguator appended."""
        base, part = title, 1
        while (key := _normalize(title)) in self.seen:
            part += 1
            title = f"{base} -- Part {part}"
        self.seen.add(key)
        return title

    def abstract(self, name: str, topic: list[str]) -> str:
        """Zipf-drawn words with the paper's own terms sprinkled in, cut into sentences."""
        rng = self.rng
        rand = rng.random
        target = min(ABSTRACT_MAX - 80, max(500, int(rng.gauss(1560, 190))))
        words = self.vocab.words.draw(rng, target // 6)
        count = len(words)
        acronyms = self.vocab.acronyms
        for _ in range(count // 25):
            words[int(rand() * count)] = topic[int(rand() * len(topic))]
        for _ in range(1 + count // 90):
            words[int(rand() * count)] = name
        for _ in range(count // 110):
            words[int(rand() * count)] = f"({acronyms[int(rand() * len(acronyms))]})"
        for _ in range(count // 120):
            words[int(rand() * count)] = rng.choice(("by", "to", "of")) + rng.choice(
                (f" {rand() * 40:.1f}%", f" {2 + int(rand() * 18)}x", f" {1 + int(rand() * 70)}B")
            )
        a, b, c = (topic[int(rand() * len(topic))] for _ in range(3))
        intro = rng.choice(INTRODUCTIONS).format(name=name, a=a, b=b, c=c)
        parts: list[str] = []
        size, start = len(intro), 0
        while size < target:
            if start > len(words) - 30:
                words += self.vocab.words.draw(rng, 100)
            end = start + 8 + int(rand() * 19)
            body = words[start:end]
            start = end
            if rand() < 0.45:
                body[2 + int(rand() * (len(body) - 4))] += ","
            opener = OPENERS[int(rand() * len(OPENERS))]
            text = f"{opener} {' '.join(body)}" if opener else " ".join(body)
            parts.append(text[0].upper() + text[1:] + ".")
            size += len(parts[-1]) + 1
        parts.insert(int(rand() * min(3, len(parts) + 1)), intro)  # the method is not always named first
        if rand() < 0.2:
            parts.append(f"Code is available at https://github.com/{rng.choice(ORGS).split()[0]}/{name}.")
        text = " ".join(parts)
        return text if len(text) <= ABSTRACT_MAX else text[: text.rindex(". ", 0, ABSTRACT_MAX) + 1]

    def metadata(self) -> str | None:
        rng = self.rng
        if rng.random() < NO_METADATA:
            return None
        if rng.random() < ORG_LINE:
            who = rng.choice(ORGS)
        else:
            who = f"  • {rng.choices(self.author_counts, cum_weights=self.author_weights)[0]} authors"
        if rng.random() < YEARLESS:  # the page's year, before any page date (pages are Oct-Dec)
            month = rng.randint(1, 9)
            date = f"{MONTHS[month - 1]} {rng.randint(1, calendar.monthrange(PAGE_YEAR, month)[1])}"
        else:
            year = rng.choices(self.years, cum_weights=self.year_weights)[0]
            month = rng.randint(1, 12)
            date = f"{MONTHS[month - 1]} {rng.randint(1, calendar.monthrange(year, month)[1])}, {year}"
        if rng.random() < UPVOTES:
            date += f" {min(999, int(rng.paretovariate(1.2)))}"
        return f"{who}\n·\n{date}"


def _entries(n: int, seed: int, vocab: Vocabulary, repeat: float) -> Iterator[tuple[bool, str]]:
    """(is a new paper, entry text); repeats are drawn from a reservoir of earlier entries."""
    rng = random.Random(seed)
    maker = _PaperMaker(rng, vocab)
    earlier: list[tuple[str, str | None]] = []
    for index in range(n):
        head, meta = maker.paper()
        yield True, head if meta is None else f"{head}\n\n{meta}"
        if len(earlier) < 2048:
            earlier.append((head, meta))
        elif (slot := rng.randrange(index + 1)) < len(earlier):
            earlier[slot] = (head, meta)
        if rng.random() < repeat:
            head, meta = rng.choice(earlier)
            # Some pages print no metadata at all, so a repeat may lose it.
            yield False, head if meta is None or rng.random() < 0.3 else f"{head}\n\n{meta}"


def generate(n: int, seed: int = 1, *, vocabulary: Vocabulary | None = None, repeat: float = REPEAT) -> Iterator[str]:
    """Entry texts (no trailing newline; join them with a blank line) for exactly `n` distinct papers.

    About `repeat` of the entries repeat an earlier paper verbatim (sometimes without metadata).
    """
    vocab = vocabulary or load_vocabulary()
    for _, text in _entries(n, seed, vocab, repeat):
        yield text


def page_header(rng: random.Random) -> str:
    """A page header dated Oct-Dec of PAGE_YEAR; like one seed, some pages lack `Daily Papers`."""
    lines = [line for line in HEADER if line != "Daily Papers" or rng.random() > 0.25]
    month = rng.randint(10, 12)
    return "\n\n".join([*lines, f"{MONTHS[month - 1]} {rng.randint(1, calendar.monthrange(PAGE_YEAR, month)[1])}"])


def write_corpus(
    papers: int, out: Path, seed: int = 1, files: int | None = None, vocabulary: Vocabulary | None = None
) -> int:
    """Write one dump, or `files` page dumps into the directory `out`; return the bytes written.

    Distinct papers are spread evenly over the pages; a repeat lands on the page being written.
    Like the seeds, a page ends without a final newline.
    """
    vocab = vocabulary or load_vocabulary()
    if files is None:
        out.parent.mkdir(parents=True, exist_ok=True)
        pages = [out]
    else:
        out.mkdir(parents=True, exist_ok=True)
        pages = [out / f"{i:0{max(3, len(str(files - 1)))}d}_daily_papers.txt" for i in range(files)]
    header_rng = random.Random(f"pages-{seed}")
    handle: TextIO | None = None
    current = -1

    def turn_to(page: int) -> TextIO:
        nonlocal current, handle
        while current < page:
            if handle is not None:
                handle.close()
            current += 1
            handle = pages[current].open("w", encoding="utf-8", newline="\n")
            handle.write(page_header(header_rng))
        assert handle is not None
        return handle

    try:
        distinct = 0
        for is_new, text in _entries(papers, seed, vocab, REPEAT):
            page = distinct * len(pages) // papers if is_new else current
            turn_to(page).write("\n\n" + text)
            distinct += is_new
        turn_to(len(pages) - 1)  # pages left empty when there are fewer papers than pages
    finally:
        if handle is not None:
            handle.close()
    return sum(page.stat().st_size for page in pages)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate large Daily Papers text dumps for benchmarks.")
    parser.add_argument("--papers", type=int, default=1000, help="distinct papers to write (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="output file, or directory with --files")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--files", type=int, help="write this many page files into the --out directory")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="seed pages to take words from")
    parser.add_argument("--builtin-words", action="store_true", help="use the built-in words, not the seeds'")
    args = parser.parse_args(argv)
    if args.papers < 0 or (args.files is not None and args.files < 1):
        parser.error("--papers must be at least 0 and --files at least 1")
    started = time.perf_counter()
    vocab = load_vocabulary(None if args.builtin_words else args.seeds)
    size = write_corpus(args.papers, args.out, args.seed, args.files, vocab)
    print(
        f"{args.papers} papers, {size / 1e6:.1f} MB, {len(vocab.words.words)} words -> {args.out}"
        f" in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
