#!/usr/bin/env python3
"""Writes the messy lab-export fixtures of issue 9 from data/cart_cohort.csv (the PKNCA
reference cohort), each with a clean equivalent, so that a test can pin that the messy
file read with flags only gives the clean file's NCA numbers.

  lab_export_3pt.csv            3 patients, blood qPCR, as a lab sends it: columns PatientID,
                                Visit, Day, Specimen, Result, Units; Latin-1 (µ = byte B5);
                                screening rows at days -6/-5/-4; BLQ as <LLOQ; thousands
                                separators in quoted fields; a QNS row; the peak of 101-003
                                as >ULOQ. Read with: --assay qpcr --lloq 50 --uloq <peak>
  lab_export_3pt_subjects.csv   its subjects file: Patient ID, Best Overall Response,
                                Dose (CAR+ cells), Site Comment
  lab_export_3pt_clean.csv      the same data in the native format
  lab_export_3pt_subjects_clean.csv  the subjects file with native names
  cart_cohort_semicolon.csv     all of cart_cohort.csv, ';'-separated with decimal commas,
                                with screening rows and not-done rows added
  cart_cohort_no_assay.csv      the blood qPCR rows of cart_cohort.csv without assay and LLOQ
                                columns (read with --assay qpcr --lloq 50), a Visit column,
                                screening and not-done rows added

usage: python3 data/make_lab_exports.py   (run from the repository root)
"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ULOQ_3PT = None  # set below: the peak of 101-003


def read_cohort():
    with open(os.path.join(HERE, "cart_cohort.csv"), newline="") as f:
        return list(csv.DictReader(f))


def grouped(v):
    """1234.5 -> '1,234.5' (thousands separators), as spreadsheets export."""
    whole, _, frac = v.partition(".")
    g = f"{int(whole):,}"
    return g + ("." + frac if frac else "")


def three_patients(rows):
    global ULOQ_3PT
    ids = {"P00001": "101-001", "P00002": "101-002", "P00003": "101-003"}
    sel = [r for r in rows if r["subject"] in ids and r["matrix"] == "blood" and r["assay"] == "qpcr"]
    peak = max((r for r in sel if r["subject"] == "P00003" and not r["value"].startswith("<")),
               key=lambda r: float(r["value"]))
    ULOQ_3PT = peak["value"]
    messy, clean = [], []
    for pid, new in ids.items():
        for day in (-6, -5, -4):
            messy.append([new, "Screening", str(day), "Peripheral Blood", "<LLOQ", "copies/µg gDNA"])
            clean.append([new, "blood", "qpcr", str(day), "<50", "copies/ug", "50"])
        for r in (r for r in sel if r["subject"] == pid):
            v = r["value"]
            if v.startswith("<"):
                result = "<LLOQ"
            elif r is peak:
                result = ">ULOQ"
            elif float(v) >= 1000:
                result = grouped(v)
            else:
                result = v
            visit = "Day 0 (pre-infusion)" if r["time"] == "0" else f"Day {r['time']}"
            messy.append([new, visit, r["time"], "Peripheral Blood", result, "copies/µg gDNA"])
            clean.append([new, "blood", "qpcr", r["time"], v, "copies/ug", "50"])
        if pid == "P00002":
            # A sample the lab could not analyse; the clean file has no row for it.
            messy.append([new, "Day 5", "5", "Peripheral Blood", "QNS", "copies/µg gDNA"])
    with open(os.path.join(HERE, "lab_export_3pt.csv"), "w", newline="", encoding="latin-1") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(["PatientID", "Visit", "Day", "Specimen", "Result", "Units"])
        w.writerows(messy)
    with open(os.path.join(HERE, "lab_export_3pt_clean.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["subject", "matrix", "assay", "time", "value", "unit", "lloq"])
        w.writerows(clean)
    with open(os.path.join(HERE, "lab_export_3pt_subjects.csv"), "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Patient ID", "Best Overall Response", "Dose (CAR+ cells)", "Site Comment"])
        w.writerow(["101-001", "CR", "50000000", "none"])
        w.writerow(["101-002", "PR", "100000000", "late sample"])
        w.writerow(["101-003", "PD", "50000000", ""])
    with open(os.path.join(HERE, "lab_export_3pt_subjects_clean.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["subject", "response", "dose", "dose_unit"])
        w.writerow(["101-001", "CR", "50000000", "CAR+ cells"])
        w.writerow(["101-002", "PR", "100000000", "CAR+ cells"])
        w.writerow(["101-003", "PD", "50000000", "CAR+ cells"])


def semicolon(rows):
    out = []
    subjects = sorted({r["subject"] for r in rows})
    for r in rows:
        out.append([r["subject"], r["matrix"], r["assay"], r["time"].replace(".", ","),
                    r["value"].replace(".", ","), r["unit"], r["lloq"].replace(".", ",")])
    for s in subjects:
        out.append([s, "blood", "qpcr", "-7", "<50", "copies/ug", "50,0"])
        out.append([s, "blood", "flow", "-7", "ND", "%", "0,1"])
        out.append([s, "blood", "qpcr", "2,5", "Not done", "copies/ug", "50,0"])
    with open(os.path.join(HERE, "cart_cohort_semicolon.csv"), "w", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["subject", "matrix", "assay", "time", "value", "unit", "lloq"])
        w.writerows(out)


def no_assay(rows):
    out = []
    for r in rows:
        if r["matrix"] != "blood" or r["assay"] != "qpcr":
            continue
        assert r["lloq"] in ("50", "50.0"), r
        out.append([r["subject"], "Day " + r["time"], r["matrix"], r["time"], r["value"], r["unit"]])
    for s in sorted({r["subject"] for r in rows}):
        out.append([s, "Screening", "blood", "-6", "<LLOQ", "copies/ug"])
        out.append([s, "Baseline", "blood", "-1", "Negative", "copies/ug"])
        out.append([s, "Unscheduled", "blood", "3.5", "Hemolysed", "copies/ug"])
    with open(os.path.join(HERE, "cart_cohort_no_assay.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["USUBJID", "Visit", "Specimen", "Study Day", "Result", "Units"])
        w.writerows(out)


if __name__ == "__main__":
    rows = read_cohort()
    three_patients(rows)
    semicolon(rows)
    no_assay(rows)
    print(f"wrote the fixtures; lab_export_3pt.csv needs --assay qpcr --lloq 50 --uloq {ULOQ_3PT}")
