"""Benchmark: a print run of 10,000 badges (four A6 badges per A4 sheet) against 30 s.

Synthetic but shaped like SCEKL25: Malaysian and ASEAN names, organisations and
countries, six pass types with their colours, a few speakers and exhibitors, and
real Ed25519-signed tokens (a throwaway key in a temporary directory).

    .venv/bin/python bench/badge_batch.py [--count 10000] [--repeat 3] [--workers N]

Prints human lines, then one JSON line: the median of ``--repeat`` runs of
``badge_sheet_pdf``, and the speed-up over a naive loop (the ``qrcode`` package,
one rectangle per dark module, everything drawn per badge, reportlab defaults),
timed (median of as many runs, alternating with the fast ones) on the first
``--naive-sample`` badges and extrapolated linearly: it is linear per badge.
Nothing is written to the repository: keys and PDFs live in a temporary directory.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import qrcode
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from expo.registration import keys, pdf, tokens
from expo.registration.pdf import BadgeFace

TARGET_SECONDS = 30.0
EVENT_ID = 25
EVENT_NAME = "Smart City Expo Kuala Lumpur 2025"

MALAY_MEN = ("Muhammad", "Ahmad", "Mohd", "Hafiz", "Amirul", "Zulkifli", "Faizal", "Hakim",
             "Azman", "Syafiq")
MALAY_WOMEN = ("Nur", "Siti", "Nurul", "Aisyah", "Farah", "Azlina", "Noraini", "Hidayah",
               "Izzati", "Aminah")
MALAY_FATHERS = ("Abdullah", "Ismail", "Hamzah", "Rahman", "Yusof", "Osman", "Ibrahim",
                 "Hassan", "Aziz", "Salleh")
CHINESE = ("Tan Wei Ming", "Lim Mei Ling", "Wong Kah Hoe", "Lee Chong Wei", "Ng Siew Lan",
           "Chan Kok Leong", "Ooi Bee Hoon", "Goh Jia Hui", "Teoh Kian Seng", "Yap Li Ying")
INDIAN = ("Priya a/p Subramaniam", "Rajesh a/l Krishnan", "Kavitha a/p Ramasamy",
          "Arun a/l Muthusamy", "Deepa a/p Selvaraj", "Suresh a/l Ganesan")
ASEAN = {
    "Viet Nam": ("Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Minh Châu", "Phạm Quốc Bảo",
                 "Đặng Thu Hương", "Võ Thanh Tùng"),
    "Thailand": ("Somchai Wongsawat", "Suda Chaiyaporn", "Anan Srisuk", "Pimchanok Boonmee"),
    "Indonesia": ("Budi Santoso", "Sri Wahyuni", "Agus Setiawan", "Dewi Lestari"),
    "Philippines": ("Maria Cristina dela Cruz", "Jose Miguel Santos", "Angelica Reyes"),
    "Singapore": ("Tan Hui Min", "Rajendran Pillai", "Nurul Huda binte Ismail"),
    "Cambodia": ("Sok Chanthy", "Chea Sophal", "Heng Sreymom"),
    "Lao PDR": ("Souphanh Keomany", "Khamla Phommachanh"),
    "Brunei Darussalam": ("Pengiran Haji Abdul Rahim", "Dayang Nur Azizah"),
    "Myanmar": ("Aung Ko Ko", "Thiri Hlaing"),
}
HONORIFICS = ("", "", "", "", "Dr. ", "Datuk ", "Dato' Sri ", "Ir. ", "Prof. Dr. ")
MALAYSIAN_ORGS = ("Kuala Lumpur City Hall (DBKL)", "Putrajaya Corporation", "MIMOS Berhad",
                  "Malaysia Digital Economy Corporation (MDEC)", "Petronas Digital Sdn Bhd",
                  "Iskandar Regional Development Authority", "Selangor Smart City Unit",
                  "Universiti Teknologi Malaysia", "Telekom Malaysia Berhad",
                  "Penang Island City Council", "Kementerian Pembangunan Kerajaan Tempatan")
ASEAN_ORGS = {
    "Viet Nam": ("Da Nang People's Committee", "Ha Noi Department of Planning and Architecture"),
    "Thailand": ("Bangkok Metropolitan Administration", "Phuket Smart City Office"),
    "Indonesia": ("Jakarta Smart City", "Banyuwangi Regency"),
    "Philippines": ("Cebu City Government", "Davao City Planning Office"),
    "Singapore": ("GovTech Singapore", "Urban Redevelopment Authority"),
    "Cambodia": ("Phnom Penh Capital Hall", "Siem Reap Provincial Administration"),
    "Lao PDR": ("Vientiane Capital Administration", "Luang Prabang Provincial Office"),
    "Brunei Darussalam": ("Bandar Seri Begawan Municipal Board", "Authority for Info-communications"
                          " Technology Industry"),
    "Myanmar": ("Yangon City Development Committee", "Mandalay City Development Committee"),
}
# (pass name, colour, share of the print run)
PASSES = (("Delegate", "#0F766E", 40), ("Visitor", "#E5E7EB", 30), ("Exhibitor", "#1D4ED8", 15),
          ("VIP", "#F5B800", 5), ("Media", "#DC2626", 5), ("Organiser", "#7C3AED", 5))


def synthetic_faces(count: int, event_keys: keys.EventKeys, rng: random.Random) -> list[BadgeFace]:
    """``count`` badges with real signed tokens, sorted by name as a print run would be."""
    signing_key = event_keys.private_key(event_keys.current_key_id)
    pass_names = [p for p in PASSES for _ in range(p[2])]
    faces = []
    for registration_id in range(1, count + 1):
        name, organisation, country = _person(rng)
        pass_name, colour, _ = rng.choice(pass_names)
        role = "SPEAKER" if rng.random() < 0.04 else None
        if pass_name == "Exhibitor":
            role = "EXHIBITOR"
        claims = tokens.BadgeClaims(
            event_id=EVENT_ID,
            registration_id=registration_id,
            serial=1 if rng.random() < 0.97 else 2,
            key_id=event_keys.current_key_id,
        )
        faces.append(BadgeFace(
            event_name=EVENT_NAME,
            full_name=name,
            organisation=organisation,
            country=country,
            pass_name=pass_name,
            colour=colour,
            token=tokens.issue(claims, signing_key),
            delegation=f"{country} delegation" if country != "Malaysia" and rng.random() < 0.3
            else None,
            role_label=role,
        ))
    faces.sort(key=lambda face: face.full_name)
    return faces


def _person(rng: random.Random) -> tuple[str, str | None, str]:
    roll = rng.random()
    if roll < 0.35:
        given, link = (MALAY_MEN, "bin") if rng.random() < 0.5 else (MALAY_WOMEN, "binti")
        first, second = rng.sample(given, 2)
        name = f"{rng.choice(HONORIFICS)}{first} {second} {link} {rng.choice(MALAY_FATHERS)}"
        return name, rng.choice(MALAYSIAN_ORGS), "Malaysia"
    if roll < 0.55:
        return rng.choice(CHINESE), rng.choice(MALAYSIAN_ORGS), "Malaysia"
    if roll < 0.65:
        return rng.choice(INDIAN), rng.choice(MALAYSIAN_ORGS), "Malaysia"
    country = rng.choice(sorted(ASEAN))
    organisation = rng.choice(ASEAN_ORGS[country]) if rng.random() < 0.9 else None
    return rng.choice(ASEAN[country]), organisation, country


def cpu_seconds() -> float:
    """User + system time of this process and its finished children (the QR workers).

    On a shared machine wall time swings with other people's jobs; CPU time
    shows what the work itself costs.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def naive_sheet_pdf(faces: Sequence[BadgeFace]) -> bytes:
    """The obvious first version: the baseline ``badge_sheet_pdf`` is measured against.

    Same sheet and fonts, but each QR comes from the ``qrcode`` package and every
    dark module is its own rectangle, the name shrinks by trial measurements,
    everything is drawn again for each badge, one process, reportlab's defaults.
    """
    fonts = pdf._fonts()
    width, height = A6
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for index, face in enumerate(faces):
        if index and index % 4 == 0:
            canvas.showPage()
        column, row = index % 4 % 2, index % 4 // 2
        canvas.saveState()
        canvas.translate(column * width, 0.5 * mm + (1 - row) * height)
        canvas.setFont(fonts.bold, 10)
        canvas.drawCentredString(width / 2, height - 14 * mm, face.event_name.upper())
        canvas.line(6 * mm, height - 15 * mm, width - 6 * mm, height - 15 * mm)
        canvas.setFillColor(HexColor(face.colour))
        canvas.roundRect(6 * mm, 6 * mm, width - 12 * mm, 20 * mm, 2.5 * mm, stroke=0, fill=1)
        canvas.setFillColorRGB(*pdf._contrast_ink(pdf._rgb(face.colour)))
        canvas.setFont(fonts.bold, 22)
        canvas.drawCentredString(width / 2, 13 * mm, face.pass_name.upper())
        canvas.setFillColor(HexColor("#111827"))
        size = 28.0
        while canvas.stringWidth(face.full_name, fonts.name, size) > width - 12 * mm:
            size -= 0.5
        canvas.setFont(fonts.name, size)
        canvas.drawCentredString(width / 2, height - 40 * mm, face.full_name)
        canvas.setFont(fonts.regular, 11)
        for offset, text in ((48, face.organisation), (54, face.country), (58, face.role_label)):
            if text:
                canvas.drawCentredString(width / 2, height - offset * mm, text)
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        qr.add_data(face.token)
        qr.make(fit=True)
        matrix = qr.get_matrix()
        module = 32 * mm / len(matrix)
        left, bottom = (width - 32 * mm) / 2, 26 * mm + 4 * module
        for row_index, modules in enumerate(matrix):
            for column_index, dark in enumerate(modules):
                if dark:
                    canvas.rect(left + column_index * module,
                                bottom + (len(matrix) - 1 - row_index) * module,
                                module, module, stroke=0, fill=1)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast path (median)")
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument("--naive-sample", type=int, default=1_000,
                        help="badges the naive loop is timed on, extrapolated to --count")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="expo-bench-keys-") as keys_dir:
        event_keys = keys.load_or_create(Path(keys_dir), EVENT_ID)
        faces = synthetic_faces(args.count, event_keys, random.Random(args.seed))
    workers = args.workers or os.cpu_count() or 1

    # Fast and naive runs alternate, so load from other processes hits both alike.
    sample = faces[: min(args.naive_sample, len(faces))]
    runs: list[float] = []
    cpu_runs: list[float] = []
    naive_runs: list[float] = []
    naive_cpu_runs: list[float] = []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        document = pdf.badge_sheet_pdf(faces, workers=args.workers)
        runs.append(time.perf_counter() - started)
        cpu_runs.append(cpu_seconds() - cpu_started)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        naive_document = naive_sheet_pdf(sample)
        naive_runs.append(time.perf_counter() - started)
        naive_cpu_runs.append(cpu_seconds() - cpu_started)
    seconds = statistics.median(runs)
    scale = len(faces) / len(sample)
    naive_seconds = statistics.median(naive_runs) * scale
    cpu = statistics.median(cpu_runs)
    naive_cpu = statistics.median(naive_cpu_runs) * scale
    extrapolated = len(sample) < len(faces)

    pages = -(-len(faces) // 4)
    print(f"badge sheets: {len(faces)} badges on {pages} A4 pages, {workers} QR worker(s), "
          f"{os.cpu_count()} CPU(s)")
    print(f"fast:  {seconds:7.2f} s  ({len(faces) / seconds:7.0f} badges/s)  median of "
          f"{len(runs)}: {', '.join(f'{run:.2f}' for run in runs)}; "
          f"PDF {len(document) / 1e6:.1f} MB")
    how = (f"median of {len(naive_runs)} runs on {len(sample)} badges, extrapolated to "
           f"{len(faces)}" if extrapolated else f"median of {len(naive_runs)} runs")
    print(f"naive: {naive_seconds:7.2f} s  ({len(faces) / naive_seconds:7.0f} badges/s)  {how}; "
          f"PDF {len(naive_document) / len(sample) * len(faces) / 1e6:.1f} MB (est.)")
    print(f"CPU time (all processes): fast {cpu:.2f} s, naive {naive_cpu:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)")
    print(f"speed-up: {naive_seconds / seconds:.1f}x; target {TARGET_SECONDS:.0f} s: "
          f"{'met' if seconds <= TARGET_SECONDS else 'MISSED'}")
    print(json.dumps({
        "benchmark": "badge_batch",
        "badges": len(faces),
        "seconds": round(seconds, 3),
        "badges_per_second": round(len(faces) / seconds, 1),
        "runs": [round(run, 3) for run in runs],
        "workers": workers,
        "pdf_bytes": len(document),
        "cpu_seconds": round(cpu, 3),
        "naive_seconds": round(naive_seconds, 3),
        "naive_cpu_seconds": round(naive_cpu, 3),
        "naive_sample_runs": [round(run, 3) for run in naive_runs],
        "naive_badges_per_second": round(len(faces) / naive_seconds, 1),
        "naive_timed_badges": len(sample),
        "naive_extrapolated": extrapolated,
        "speedup": round(naive_seconds / seconds, 2),
        "target_seconds": TARGET_SECONDS,
        "target_met": seconds <= TARGET_SECONDS,
        "load_average": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
