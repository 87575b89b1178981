"""The words of the report in English and Swedish, in one place.

The report (:mod:`hemopt.viz.report`), its maps and charts (:mod:`hemopt.viz`) and the CLI's
printed reading write every sentence through :func:`t`. Message ids are the English texts
themselves (the gettext convention): English needs no catalogue, and a text missing from the
Swedish catalogue falls back to English, visibly, rather than failing. KPI labels and units
are keyed by the KPI's key (``hemopt.KPI_COLUMNS``) in :data:`KPI_SV`.

Swedish follows the words municipalities use: *hemtjänst* (home care), *brukare* (client),
*utförare* (provider), *valfrihetssystem (LOV)* (free choice under the Act on System of Choice),
*upphandling (LOU)* (procurement under the Public Procurement Act), *körda km* (km driven),
*personalkontinuitet* (the number of staff a client meets).

The language is a context (:func:`language`), so the functions that build the report need no
``lang`` argument each; numbers follow it too (:func:`number`: ``4,132.5`` in English,
``4 132,5`` in Swedish).

Examples
--------
>>> from hemopt.i18n import language, t, number
>>> t("Key figures")
'Key figures'
>>> with language("sv"):
...     t("Key figures"), t("{n} seeds", n=5), number("4,132.5")
('Nyckeltal', '5 slumpfrön', '4\\xa0132,5')
>>> t("{n} seeds", n=5)
'5 seeds'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from hemopt.errors import InputError

__all__ = ["KPI_SV", "LANGUAGES", "SV", "check_lang", "current", "kpi_text", "language",
           "number", "t"]

#: The languages of the report.
LANGUAGES = ("en", "sv")

_LANG: ContextVar[str] = ContextVar("hemopt_lang", default="en")


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else an :class:`~hemopt.errors.InputError`
    naming it.

    Examples
    --------
    >>> check_lang("sv")
    'sv'
    >>> check_lang("de")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: lang must be one of 'en', 'sv', got 'de'
    """
    if lang not in LANGUAGES:
        raise InputError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    return lang


def current() -> str:
    """The language in force (``"en"`` outside :func:`language`)."""
    return _LANG.get()


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Within the block, :func:`t` and :func:`number` write ``lang``."""
    token = _LANG.set(check_lang(lang))
    try:
        yield lang
    finally:
        _LANG.reset(token)


def t(msgid: str, /, **values: object) -> str:
    """``msgid`` (an English text) in the current language, with ``{name}`` fields filled
    from ``values``."""
    text = SV.get(msgid, msgid) if _LANG.get() == "sv" else msgid
    return text.format(**values) if values else text


_SV_DIGITS = str.maketrans({",": "\u00a0", ".": ","})


def number(text: str) -> str:
    """A number formatted the English way (``-1,234.5``) in the current language's way:
    Swedish groups thousands with a no-break space and uses a decimal comma."""
    return text.translate(_SV_DIGITS) if _LANG.get() == "sv" else text


def kpi_text(key: str, label: str, unit: str) -> tuple[str, str]:
    """The label and unit of KPI ``key`` in the current language (``label``, ``unit`` are
    the English ones, returned as they are when there is no translation)."""
    if _LANG.get() == "sv" and key in KPI_SV:
        return KPI_SV[key]
    return label, unit


#: Swedish labels and units of the KPIs, keyed by KPI key (hemopt.KPI_COLUMNS and the
#: transition and continuity figures of hemopt.viz.format.MEASURES).
KPI_SV: dict[str, tuple[str, str]] = {
    "driven_km_per_day": ("Körda km", "km per dag"),
    "drive_hours_per_day": ("Körtid", "timmar per dag"),
    "driving_share": ("Andel av turtiden i bil", "%"),
    "staff_hours_per_day": ("Personaltimmar på turer", "timmar per dag"),
    "paid_staff_hours_per_day": ("Betald personaltid", "timmar per dag"),
    "care_share_of_paid_time": ("Andel av betald tid hos brukaren", "%"),
    "cost_sek_per_year": ("Kostnad", "mnkr per år"),
    "cost_per_care_hour_sek": ("Kostnad per hemtjänsttimme", "kr"),
    "co2_tonnes_per_year": ("Koldioxid från bilkörning", "ton per år"),
    "first_choice_pct": ("Fick sitt förstahandsval", "% av brukare som väljer"),
    "queue": ("Brukare i kö till sin valda utförare", "brukare"),
    "queued_hours_mean": ("Insatser för köande brukare", "timmar per vecka, medel"),
    "served_hours_mean": ("Insatser för övriga brukare", "timmar per vecka, medel"),
    "providers_per_stairwell": ("Utförare per trapphus", "medel"),
    "stairwells_multi_provider_pct": ("Trapphus med 2+ utförare",
                                      "% av trapphus med 2+ brukare"),
    "stops_per_visit": ("Stopp per besök", "1 = inget besök delar stopp"),
    "workload_cv": ("Spridning av arbetsbörda mellan pass", "variationskoefficient"),
    "staff_shifts_per_day": ("Arbetspass", "per dag"),
    "providers_active": ("Utförare med brukare", "utförare"),
    "local_bases": ("Lokala baser som öppnas", "baser"),
    "dropped_visits": ("Besök som inget pass kunde utföra", "per dag"),
    "variable_cost_sek_per_year": ("Rörlig kostnad (personaltid och km)", "mnkr per år"),
    "fixed_cost_sek_per_year": ("Fast kostnad (per utförare och avtal)", "mnkr per år"),
    "dropped_care_share": ("Andel beviljad omsorg som inte utfördes", "%"),
    "delivered_care_hours_per_week": ("Utförd omsorg", "timmar per vecka"),
    "guarantee_shortfall_hours_per_week": ("Garantin kunde inte placera", "timmar per vecka"),
    "procurement_shortfall_hours_per_week": ("Upphandlat under målandelen",
                                             "timmar per vecka"),
    "continuity_kolada_mean_staff": ("Personalkontinuitet enligt Kolada",
                                     "medel, brukare 65+ med 2+ besök per dag"),
    "continuity_kolada_clients": ("Brukare i Koladas mått", "brukare"),
    "double_staffed_visits_served": ("Dubbelbemannade besök utförda", "per dag"),
    "double_extra_km_per_day": ("Körda km för dubbelbemanning", "km per dag"),
    "double_extra_staff_hours_per_day": ("Personaltid för dubbelbemanning", "timmar per dag"),
    "breaks_taken": ("Lagda raster", "per dag"),
    "breaks_not_placed": ("Långa turer utan rast", "per dag"),
    "dropped_not_synchronised": ("Dubbelbesök som inte kunde samordnas", "per dag"),
    "dropped_no_licensed_staff": ("Besök utan behörig personal", "per dag"),
    "external_share_hours": ("Hemtjänsttimmar hos externa utförare", "%"),
    "visits_per_day": ("Besök", "per dag"),
    "stops_per_day": ("Stopp", "per dag"),
    "care_hours_per_week": ("Hemtjänst", "timmar per vecka"),
    "clients_changing_provider_pct": ("Brukare som byter utförare", "%"),
    "hours_changing_provider_pct": ("Hemtjänsttimmar som byter utförare", "%"),
    "providers_leaving_count": ("Utförare som lämnar", "utförare"),
    "largest_provider_clients_before": ("Största utförarens brukare i dag", "brukare"),
    "largest_provider_clients_after": ("Största utförarens brukare efteråt", "brukare"),
    "care_hours_moving_per_week": ("Hemtjänsttimmar som byter arbetsgivare",
                                   "timmar per vecka"),
    "staff_per_client_14d_median": (
        "Personalkontinuitet: olika personal på 14 dagar, brukare med dagliga besök",
        "median"),
    "staff_per_client_14d_p90": (
        "Personalkontinuitet: olika personal på 14 dagar, brukare med dagliga besök",
        "90:e percentilen"),
    "staff_per_client_14d_mean": (
        "Personalkontinuitet: olika personal på 14 dagar, brukare med dagliga besök",
        "medel"),
    "staff_per_client_14d_all_median": (
        "Personalkontinuitet: olika personal på 14 dagar, alla brukare", "median"),
    "staff_per_client_14d_all_p90": (
        "Personalkontinuitet: olika personal på 14 dagar, alla brukare", "90:e percentilen"),
    "staff_per_client_14d_all_mean": (
        "Personalkontinuitet: olika personal på 14 dagar, alla brukare", "medel"),
    "clients_daily": ("Brukare med besök varje dag", "brukare"),
    "contact_person_visit_pct": ("Besök av brukarens kontaktperson", "%"),
    "temp_share": ("Besök av vikarier (pool eller bemanningsföretag)", "%"),
    "staff_per_provider_mean": ("Ordinarie personal per utförare", "medel"),
    "staff_regular": ("Ordinarie personal", "alla utförare"),
    "workload_spread_pct": ("Spridning av turtimmar per avtalad timme",
                            "% variationskoefficient"),
    "routes": ("Turer på 14 dagar", "turer"),
    "staff_per_client_14d_2visits_median": (
        "Personalkontinuitet: olika personal på 14 dagar, brukare med 2+ besök varje dag",
        "median"),
    "staff_per_client_14d_2visits_mean": (
        "Personalkontinuitet: olika personal på 14 dagar, brukare med 2+ besök varje dag, "
        "alla åldrar och tider", "medel"),
    "clients_2visits": ("Brukare med 2+ besök varje dag", "brukare"),
}

#: The Swedish catalogue: English text (the message id) to Swedish.
SV: dict[str, str] = {
    " The split-cleaning case is not tested here: hemopt.variants.split_service changes the "
    "care visits too, so its comparison is withdrawn (docs/validation.md).":
        " Fallet med städning hos en annan utförare prövas inte här: "
        "hemopt.variants.split_service ändrar också omsorgsbesöken, så den jämförelsen är "
        "tillbakadragen (docs/validation.md).",
    "{text} ({n} clients)": "{text} ({n} brukare)",
    "the other changes: the share's cap and guarantee, and the queue":
        "övriga ändringar: andelens tak och garanti, och kön",
    "one provider per area, the one serving the most hours there":
        "en utförare per område, den som utför flest timmar där",
    "each area to the regime's provider": "varje område till formens utförare",
    "The range over seeds is not the whole uncertainty: the model's assumptions (whether "
    "providers open local bases, fixed costs, the externals' territories, the guarantee rule, "
    "visit durations ...) can move the answer more; hemopt sensitivity shows how much.":
        "Spannet över slumpfröna är inte hela osäkerheten: modellens antaganden (om utförarna "
        "öppnar lokala baser, fasta kostnader, de externa utförarnas områden, garantiregeln, "
        "besökens längd ...) kan flytta svaret mer; hemopt sensitivity visar hur mycket.",
    "Of {name}'s cost difference, {dv} MSEK a year is variable (staff time and km) and {df} "
    "MSEK fixed (per provider and contract: stated assumptions that do not scale with the "
    "hours).":
        "Av kostnadsskillnaden för {name} är {dv} mnkr per år rörlig (personaltid och km) och "
        "{df} mnkr fast (per utförare och avtal: angivna antaganden som inte växer med "
        "timmarna).",
    "of which variable costs (staff time and km)": "varav rörliga kostnader (personaltid och km)",
    "and fixed costs (per provider and contract: stated assumptions that do not scale with the "
    "hours)": "och fasta kostnader (per utförare och avtal: angivna antaganden som inte växer "
              "med timmarna)",
    "no driving under LOV or zoning": "ingen bilkörning med LOV eller zonindelning",
    "zoning: no driving": "zonindelning: ingen bilkörning",
    "Not testable here: nobody drives under either regime (every client within walking or "
    "cycling distance of a base).": "Går inte att pröva här: ingen kör bil i någon av "
                                    "formerna (alla brukare nås till fots eller med cykel).",
    "Same direction: LOV drives and zoning does not.":
        "Samma riktning: med LOV körs bil, med zonindelning inte.",
    "Each regime's difference to LOV is split into steps, each changing one thing in who serves "
    "whom, routed on the same day. A step's share is its Shapley value: its effect averaged "
    "over every order in which the steps could be taken, so the shares add up to the total and "
    "do not depend on the order. Against zoning: one provider per stairwell (the Strängnäs "
    "argument: several providers in the same stairwell the same day), per building, one "
    "provider per area (consolidation), then who that provider is (procurement). Against LOU: "
    "the contracts, then the share and the queue. Bases follow one rule, so each step includes "
    "the bases its assignment implies.":
        "Varje forms skillnad mot LOV delas upp i steg som vart och ett ändrar en sak i vem "
        "som betjänar vem, planerade på samma dag. Ett stegs andel är dess Shapleyvärde: "
        "effekten i genomsnitt över alla ordningar stegen kan tas i, så att andelarna summerar "
        "till helheten och inte beror på ordningen. Mot zonindelning: en utförare per "
        "trappuppgång (Strängnäs argument: flera utförare i samma trappuppgång samma dag), per "
        "byggnad, en utförare per område (samordning), sedan vilken utförare det är "
        "(upphandling). Mot LOU: avtalen, sedan andelen och kön. Baserna följer en regel, så "
        "varje steg tar med de baser dess fördelning ger.",
    # --- counts and small words
    "{n} seeds": "{n} slumpfrön",
    "seed {seed}": "slumpfrö {seed}",
    "to": "till",
    "no change": "ingen förändring",
    "within noise": "inom bruset",
    "points": "procentenheter",
    "{a} to {b}": "{a} till {b}",
    # --- title and header
    "Home care regimes compared: {name}": "Hemtjänstens upphandlingsformer jämförda: {name}",
    "{municipality}, seeds {seeds}": "{municipality}, slumpfrön {seeds}",
    "{municipality}, seed {seeds}": "{municipality}, slumpfrö {seeds}",
    "{clients} clients, {providers} providers ({origin}). Regimes: {regimes}.":
        "{clients} brukare, {providers} utförare ({origin}). Former: {regimes}.",
    "preset {preset}, seed {seed}": "förinställning {preset}, slumpfrö {seed}",
    "your own data": "kommunens egna data",
    "LOV: free choice among all approved providers. LOU: procured external providers per "
    "area with a capped share of the hours, the municipality takes the rest and clients queue "
    "for their choice. Zoning: one provider per area, assigned by address; some areas "
    "procured, the others municipal.":
        "LOV: valfrihetssystem enligt lagen om valfrihetssystem, brukaren väljer fritt bland "
        "alla godkända utförare. LOU: upphandling enligt lagen om offentlig upphandling, "
        "upphandlade externa utförare per område med ett tak för deras andel av timmarna; "
        "kommunen tar resten och brukare köar till sitt val. Zoning (geografisk indelning): "
        "en utförare per område efter adress; vissa områden upphandlas, övriga sköter "
        "kommunen.",
    "hemopt; computed in {s} s.": "hemopt; beräknat på {s} s.",
    # --- run description
    "One seed ({seed}), routed with {how}.": "Ett slumpfrö ({seed}), turer planerade med {how}.",
    "the continuous routing approximation (calibrated against the solver)":
        "den kontinuerliga approximationen av turerna (kalibrerad mot lösaren)",
    "the VRPTW solver ({what})": "turplaneringslösaren för VRPTW ({what})",
    "{n} iterations per instance": "{n} iterationer per instans",
    "at most {s} s per instance (machine-dependent)":
        "högst {s} s per instans (beror på datorn)",
    "the greedy plan": "den giriga planen",
    "a new municipality per seed (new clients drawn on the same geography; the seed also "
    "draws the day of visits, the order of requests and the solver's search)":
        "en ny kommun per slumpfrö (nya brukare dragna på samma geografi; slumpfröet drar även "
        "besöksdagen, ordningen på ansökningarna och lösarens sökning)",
    "the same clients in every seed (the seed draws the day of visits, the order of requests "
    "and the solver's search)":
        "samma brukare i varje slumpfrö (slumpfröet drar besöksdagen, ordningen på "
        "ansökningarna och "
        "lösarens sökning)",
    "{n} seeds ({seeds}), {clients}. Routing: {how}. Differences are paired: computed within "
    "each seed, then summarised as the median and the range (min–max) over the seeds. Maps "
    "and detail tables show seed {headline}.":
        "{n} slumpfrön ({seeds}), {clients}. Turplanering: {how}. Skillnaderna är parade: "
        "beräknade inom varje slumpfrö och sammanfattade som median och spann (min–max) över "
        "slumpfröna. Kartor och detaljtabeller visar slumpfrö {headline}.",
    "seed {seeds}: {how}": "slumpfrö {seeds}: {how}",
    "seeds {seeds}: {how}": "slumpfrön {seeds}: {how}",
    # --- sections
    "Reading": "Sammanfattning",
    "Key figures": "Nyckeltal",
    "Charts": "Diagram",
    "Where the difference comes from": "Var skillnaden kommer ifrån",
    "Continuity of care (14 days)": "Personalkontinuitet (14 dagar)",
    "Who changes provider": "Vilka brukare byter utförare",
    "Cost per provider": "Kostnad per utförare",
    "Maps": "Kartor",
    "Interactive map": "Interaktiv karta",
    "Beside published figures": "Jämfört med publicerade siffror",
    "What this means": "Vad resultaten betyder",
    "Scenario": "Scenario",
    "Definitions": "Definitioner",
    "Parameters": "Parametrar",
    "Providers today": "Utförare i dag",
    # --- key figures
    "Median [min–max] over the seeds. Against LOV: the paired change in per cent of LOV's "
    "value (percentage points for percentages; the change itself where LOV's value is 0).":
        "Median [min–max] över slumpfröna. Mot LOV: den parade förändringen i procent av LOV:s "
        "värde (procentenheter för andelar; själva förändringen där LOV:s värde är 0).",
    "One seed. Against LOV: the change in per cent of LOV's value (percentage points for "
    "percentages; the change itself where LOV's value is 0).":
        "Ett slumpfrö. Mot LOV: förändringen i procent av LOV:s värde (procentenheter för andelar; "
        "själva förändringen där LOV:s värde är 0).",
    "Every measure for seed {seed}": "Alla mått för slumpfrö {seed}",
    "Every measure": "Alla mått",
    "Measure": "Mått",
    "{name} against LOV": "{name} mot LOV",
    "Travel and staff time": "Resor och personaltid",
    "Cost": "Kostnad",
    "Choice": "Val",
    "Coordination": "Samordning",
    "Change from today's providers": "Förändring från dagens utförare",
    "Staff continuity (14 days)": "Personalkontinuitet (14 dagar)",
    "Main measures": "Huvudmått",
    # --- charts
    "Bar charts of the main measures per regime": "Stapeldiagram över huvudmåtten per form",
    "Choice against cost": "Valfrihet mot kostnad",
    "{name}: regimes compared ({what})": "{name}: formerna jämförda ({what})",
    "median over {n} seeds, error bars: range": "median över {n} slumpfrön, felstaplar: spann",
    "cost per year (MSEK): paid staff time, driving, fixed costs":
        "kostnad per år (mnkr): betald personaltid, bilkörning, fasta kostnader",
    "choosing clients with their first choice (%)":
        "brukare som väljer och får sitt förstahandsval (%)",
    "What choice costs": "Vad valfriheten kostar",
    "change in km driven per day against LOV": "förändring i körda km per dag mot LOV",
    "{name} against LOV: where the change in driving comes from":
        "{name} mot LOV: var förändringen i körda km kommer ifrån",
    "Mean over {n} seeds; error bars: range over the seeds (green: less driving, red: more)":
        "Medel över {n} slumpfrön; felstaplar: spann över slumpfröna (grönt: mindre körning, "
        "rött: mer)",
    "Waterfall of the change in driving": "Vattenfall över förändringen i körda km",
    # --- decomposition
    "Each regime's difference to LOV is split into steps: a chain of counterfactual "
    "assignments from LOV's, each changing one thing, each routed on the same day. The steps "
    "add up to the total. Against zoning: one provider per stairwell (the Strängnäs argument: "
    "several providers in the same stairwell the same day), per building, one provider per "
    "area (consolidation), then each area to the provider the regime gives it (procurement). "
    "Against LOU: the contracts, then the share and the queue. Bases follow one rule, so each "
    "step includes the bases its assignment implies.":
        "Varje forms skillnad mot LOV delas upp i steg: en kedja av kontrafaktiska "
        "fördelningar från LOV:s, där varje steg ändrar en sak och planeras på samma dag. "
        "Stegen summerar till totalen. Mot geografisk indelning: en utförare per trapphus "
        "(Strängnäs argument: flera utförare i samma trapphus samma dag), per byggnad, en "
        "utförare per område (samling), sedan varje område till den utförare formen ger det "
        "(upphandling). Mot LOU: avtalen, sedan andelen och kön. Baserna följer en regel, så "
        "varje steg innehåller de baser dess fördelning ger.",
    "Not computed for a single comparison: hemopt.compare_seeds(...) splits each difference "
    "into its causes (stairwell, building, consolidation, procurement; contracts, share and "
    "queue).":
        "Beräknas inte för en enstaka jämförelse: hemopt.compare_seeds(...) delar upp varje "
        "skillnad i dess orsaker (trapphus, byggnad, samling, upphandling; avtal, andel och "
        "kö).",
    "Step": "Steg",
    "What changes": "Vad som ändras",
    "km per day: mean [range]": "km per dag: medel [spann]",
    "Share of the km change": "Andel av förändringen i km",
    "Cost, MSEK per year: mean [range]": "Kostnad, mnkr per år: medel [spann]",
    "total": "totalt",
    "{name} minus LOV (the sum of the steps)": "{name} minus LOV (summan av stegen)",
    "No decomposition was computed (compare_seeds(..., decompose=False)).":
        "Ingen uppdelning beräknades (compare_seeds(..., decompose=False)).",
    # --- transitions and providers
    "From today's providers to each regime{which}; staff hours follow the care between "
    "employers.":
        "Från dagens utförare till varje form{which}; personaltimmarna följer insatserna "
        "mellan arbetsgivarna.",
    " (seed {seed})": " (slumpfrö {seed})",
    "Regime": "Form",
    "Clients changing provider": "Brukare som byter utförare",
    "Care hours changing provider": "Hemtjänsttimmar som byter utförare",
    "Care hours changing employer (per week)":
        "Hemtjänsttimmar som byter arbetsgivare (per vecka)",
    "Providers leaving": "Utförare som lämnar",
    "Largest provider: clients today → after": "Största utföraren: brukare i dag → efteråt",
    "Provider": "Utförare",
    "Kind": "Slag",
    "municipal": "kommunal",
    "external": "extern",
    "All providers": "Alla utförare",
    "{name}: care hours per week": "{name}: hemtjänsttimmar per vecka",
    "{name}: SEK per care hour": "{name}: kr per hemtjänsttimme",
    " Cost per care hour: paid staff time, driving and the fixed costs per year, over the "
    "provider's care hours per year.":
        " Kostnad per hemtjänsttimme: betald personaltid, bilkörning och fasta kostnader per "
        "år, delat med utförarens hemtjänsttimmar per år.",
    "{name} {cost} SEK (external providers together: {ext} SEK)":
        "{name} {cost} kr (externa utförare tillsammans: {ext} kr)",
    "The municipality ({muni}) is the default provider: it serves the clients who do not "
    "choose and those nobody else takes, wherever they live. Its cost per care hour: "
    "{parts}.":
        "Kommunen ({muni}) är ickevalsalternativet: den tar brukare som inte väljer och dem "
        "ingen annan tar, var de än bor. Dess kostnad per hemtjänsttimme: {parts}.",
    # --- maps
    "Clients coloured by provider, offices as stars, area borders dashed; the busiest "
    "stairwells circled with the number of providers serving them. Right: the town centre "
    "enlarged (the densest part of the municipality, outlined on the left).":
        "Brukare färgade efter utförare, kontor som stjärnor, områden som tonade ytor med "
        "namn; de mest besökta trapphusen inringade med antalet utförare som besöker dem. "
        "Till höger: centralorten förstorad (den tätaste delen av kommunen, markerad till "
        "vänster).",
    "Map of {name}": "Karta över {name}",
    "{name}: the municipality (circled: the {n} busiest stairwells, number = providers "
    "serving them)":
        "{name}: kommunen (inringat: de {n} mest besökta trapphusen, siffra = antal utförare)",
    "town centre": "centralorten",
    "{name}: the town centre enlarged ({km} km across)":
        "{name}: centralorten förstorad ({km} km bred)",
    "provider": "utförare",
    "office": "kontor",
    "areas": "områden",
    "boundary": "kommungräns",
    "unserved": "utan utförare",
    "queueing": "köar",
    "none": "ingen",
    "clients": "brukare",
    "{name}, {regime}: first choice {first} %, queue {queue}":
        "{name}, {regime}: förstahandsval {first} %, kö {queue}",
    "{name}: {clients} clients, {providers} providers":
        "{name}: {clients} brukare, {providers} utförare",
    "Open the interactive map": "Öppna den interaktiva kartan",
    "A map to zoom and click (one layer per regime; each client shows its provider). It "
    "loads the Leaflet map library and the background map tiles from the internet.":
        "En karta att zooma och klicka i (ett lager per form; varje brukare visar sin "
        "utförare). Den hämtar kartbiblioteket Leaflet och bakgrundskartan från internet.",
    # --- published
    "Docs: validation.md sets five published figures (continuity of care among them) beside "
    "the model's, with what a routing optimiser adds against a simple plan.":
        "Dokumentationen (validation.md) ställer fem publicerade siffror (personalkontinuitet "
        "bland dem) bredvid modellens, och visar vad en turoptimering ger mot en enkel plan.",
    "Published": "Publicerat",
    "Our reading": "Tolkning",
    "Source": "Källa",
    "This model": "Denna modell",
    # --- scenario
    "Value": "Värde",
    "Land area (km²)": "Landareal (km²)",
    "Inhabitants": "Invånare",
    "Home-care clients": "Brukare med hemtjänst",
    "Stairwells with clients": "Trapphus med brukare",
    "Clients sharing a stairwell with another client (%)":
        "Brukare som delar trapphus med en annan brukare (%)",
    "Clients sharing a building (%)": "Brukare som delar byggnad (%)",
    "Care hours per week": "Hemtjänsttimmar per vecka",
    "Care hours per client and week, mean": "Hemtjänsttimmar per brukare och vecka, medel",
    "Care hours per client and week, median": "Hemtjänsttimmar per brukare och vecka, median",
    "Visits per day": "Besök per dag",
    "Clients who do not choose a provider (%)": "Brukare som inte väljer utförare (%)",
    "Home-care areas": "Hemtjänstområden",
    "Name": "Namn",
    "Clients": "Brukare",
    "Share of care hours (%)": "Andel av hemtjänsttimmarna (%)",
    "What each measure means (and its key in comparison.json)":
        "Vad varje mått betyder (och dess nyckel i comparison.json)",
    "Definition": "Definition",
    "Key in comparison.json": "Nyckel i comparison.json",
    "Every parameter of the run (reproduce with these and the seed)":
        "Alla parametrar i körningen (upprepa med dessa och slumpfröet)",
    # --- continuity
    "Not computed in this run (compare(..., continuity=False) or hemopt compare "
    "--no-continuity).":
        "Beräknades inte i denna körning (compare(..., continuity=False) eller hemopt compare "
        "--no-continuity).",
    # --- reading
    "No LOV run to compare against.": "Ingen LOV-körning att jämföra med.",
    "driving": "körda km",
    "paid staff hours": "betald personaltid",
    "costs": "kostnaderna",
    "less": "mindre",
    "more": "mer",
    "fewer": "mindre",
    "{what}: no change in any seed": "{what}: ingen förändring i något slumpfrö",
    "{what} {value} MSEK a year {dir} (median; range {span} MSEK":
        "{what} {value} mnkr per år {dir} (median; spann {span} mnkr",
    "{what} {med}{unit} (median; range {lo} to {hi}{unit}":
        "{what} {med}{unit} (median; spann {lo} till {hi}{unit}",
    "; within noise: the range over the {n} seeds includes no change":
        "; inom bruset: spannet över de {n} slumpfröna innefattar ingen förändring",
    "{name} against LOV, over {n} seeds: {parts}. Choosing clients who get their first "
    "choice: {lov_first} % under LOV, {first} % under {name}; clients queueing: {queue}. "
    "Providers per stairwell: {lov_stair} under LOV, {stair} under {name}. Clients changing "
    "provider from today: {change} %.":
        "{name} mot LOV, över {n} slumpfrön: {parts}. Brukare som väljer och får sitt "
        "förstahandsval: {lov_first} % med LOV, {first} % med {name}; brukare i kö: {queue}. "
        "Utförare per trapphus: {lov_stair} med LOV, {stair} med {name}. Brukare som byter "
        "utförare från i dag: {change} %.",
    "Figures are medians over the seeds with their range [min–max]; a difference whose range "
    "includes no change is within noise: the seeds do not agree on its direction.":
        "Siffrorna är medianer över slumpfröna med sitt spann [min–max]; en skillnad vars spann "
        "innefattar ingen förändring är inom bruset: slumpfröna är inte eniga om dess riktning.",
    "{name} drives {km} km {dkm} per day than LOV ({pkm}), uses {h} {dh} paid staff hours "
    "per day and costs {c} MSEK a year {dc}. Choosing clients who get their first choice: "
    "{lov_first} % under LOV, {first} % under {name}; {queue} clients queue. Providers per "
    "stairwell: {lov_stair} under LOV, {stair} under {name}.":
        "{name} ger {km} körda km {dkm} per dag än LOV ({pkm}), {h} timmar {dh} betald "
        "personaltid per dag och kostar {c} mnkr {dc} per år. Brukare som väljer och får sitt "
        "förstahandsval: {lov_first} % med LOV, {first} % med {name}; {queue} brukare köar. "
        "Utförare per trapphus: {lov_stair} med LOV, {stair} med {name}.",
    "no driving": "ingen bilkörning",
    "These are one seed's figures. Over seeds of the same preset a difference in km or staff "
    "hours can vary by tens of per cent, and a few per cent is within the routing solver's "
    "noise: use hemopt.compare_seeds for ranges before quoting a figure. The choice figures "
    "are exact for this seed.":
        "Detta är siffrorna för ett slumpfrö. Mellan slumpfrön av samma förinställning kan en "
        "skillnad i km "
        "eller personaltimmar variera med tiotals procent, och några procent ligger inom "
        "turlösarens brus: använd hemopt.compare_seeds för spann innan en siffra citeras. "
        "Siffrorna för valen är exakta för detta slumpfrö.",
    # --- decomposition steps (hemopt.decompose)
    "stairwell": "trapphus",
    "building": "byggnad",
    "consolidation": "samling",
    "procurement": "upphandling",
    "contracts": "avtal",
    "share and queue": "andel och kö",
    "one provider per stairwell, nothing else changed":
        "en utförare per trapphus, inget annat ändrat",
    "one provider per building": "en utförare per byggnad",
    "one provider per area: the one already serving the most hours there":
        "en utförare per område: den som redan har flest timmar där",
    "each area to the provider the regime gives it (procurement winners, the municipality "
    "elsewhere)":
        "varje område till den utförare formen ger det (de som vunnit upphandlingen, annars "
        "kommunen)",
    "clients of providers not contracted in their area move":
        "brukare hos utförare utan avtal i sitt område flyttas",
    "the share's cap and guarantee, and the queue": "andelens tak och garanti, och kön",
    # --- continuity prose
    "routed with the solver": "planerade med turlösaren",
    "cut into routes by a sweep around each base from the routing approximation's route "
    "counts (a quick proxy; the solver's routes give 1.5 to 4 more faces per client and "
    "larger differences between regimes, docs/continuity.md)":
        "delade i turer med ett svep runt varje bas utifrån approximationens antal turer (en "
        "snabb skattning; lösarens turer ger 1,5 till 4 fler ansikten per brukare och större "
        "skillnader mellan formerna, docs/continuity.md)",
    "Personalkontinuitet: how many different staff visit a client in 14 days, the measure "
    "municipalities report to Kolada. Each regime's clients get two weeks of visits from their "
    "weekly care plans (daily care every day; showers, cleaning and light clients' help on "
    "fixed weekdays), {how}. Each provider's staff are sized from its routes and rostered (day "
    "or evening shifts, full and part time, every other weekend, 9 % absence in spells, a pool "
    "and agency temps for the gaps); every day a min-cost assignment hands the routes to the "
    "staff on duty, preferring staff the clients already know and their contact person.":
        "Personalkontinuitet: hur många olika personal som besöker en brukare på 14 dagar, "
        "det mått kommunerna rapporterar till Kolada. Varje forms brukare får två veckors "
        "besök enligt sina veckoplaner (daglig omsorg varje dag; dusch, städning och lätta "
        "insatser på fasta veckodagar), {how}. Varje utförares personal dimensioneras efter "
        "dess turer och schemaläggs (dag- eller kvällspass, hel- och deltid, varannan helg, "
        "9 % frånvaro i perioder, en pool och bemanningsföretag för luckorna); varje dag "
        "fördelar en kostnadsminimering turerna på personalen i tjänst och föredrar personal "
        "som brukaren redan känner och brukarens kontaktperson.",
    "Published: about 15 distinct staff in 14 days on average in Sweden (14.9 in 2021), "
    "municipalities from about 7 to 24 (Kolada, clients 65+ with at least two visits every "
    "day, 07–22). The model plans every fortnight optimally and knows each absence in "
    "advance; it has no staff turnover, holidays, double staffing or night patrol, so it sits "
    "at the low end. Compare regimes with each other, not with the published level.":
        "Publicerat: i genomsnitt omkring 15 olika personal på 14 dagar i Sverige (14,9 år "
        "2021), kommunerna från omkring 7 till 24 (Kolada, brukare 65+ med minst två besök "
        "varje dag, 07–22). Modellen planerar varje tvåveckorsperiod optimalt och känner "
        "till all frånvaro i förväg; den har ingen personalomsättning, semester, "
        "dubbelbemanning eller nattpatrull, så den hamnar i den lägre änden. Jämför formerna "
        "med varandra, inte med den publicerade nivån.",
    # --- what this means
    " This scenario is scaled to {scale} of the municipality's population: its costs and "
    "kilometres are not the municipality's.":
        " Scenariot är skalat till {scale} av kommunens befolkning: dess kostnader och "
        "kilometrar är inte kommunens.",
    "The ranges show how much the figures move between seeds; they are not confidence "
    "intervals of the real municipality's figures, which depend on the limits below.":
        "Spannen visar hur mycket siffrorna rör sig mellan slumpfröna; de är inte "
        "konfidensintervall för den verkliga kommunens siffror, som beror på "
        "begränsningarna nedan.",
    "These are one seed's figures: run hemopt.compare_seeds for ranges before quoting any of "
    "them.":
        "Detta är siffrorna för ett slumpfrö: kör hemopt.compare_seeds för spann innan någon "
        "av dem citeras.",
    "The model measures what the way home care is bought does to driving, staff time, cost "
    "and choice, with everything else held equal: the same clients, the same day of visits, "
    "the same rules for bases and routes. It is a comparison of regimes, not a forecast of a "
    "budget.":
        "Modellen mäter vad sättet att köpa hemtjänst gör med bilkörning, personaltid, "
        "kostnad och valfrihet när allt annat hålls lika: samma brukare, samma besöksdag, "
        "samma regler för baser och turer. Det är en jämförelse av former, inte en "
        "budgetprognos.",
    "Its limits: the clients are synthetic, drawn per DeSO area from SCB's population figures, "
    "not the municipality's register; staff walk, cycle or drive by the distance of their "
    "stops from the base, and a car trip is the straight line times a detour factor (1.3) at "
    "urban and rural speeds, not a road network; one day of visits is routed, not a week with "
    "absences and changes; where shifts start follows one rule for every regime (offices, the "
    "scenario's bases, a local base where a provider has enough hours in an area); fixed "
    "costs per provider, per contract and per base are stated assumptions; the clients' "
    "choices follow a model of ranking, and quality of care and the clients' own view of "
    "choice are not measured (continuity of staff is, over 14 days, with the limits of its "
    "section). See docs/compare.md for the parameters and their sources and "
    "docs/validation.md for the model beside published figures.":
        "Begränsningar: brukarna är syntetiska, dragna per DeSO-område ur SCB:s "
        "befolkningssiffror, inte ur kommunens register; personalen går, cyklar eller kör "
        "beroende på avståndet från basen, och en bilresa är fågelvägen gånger en "
        "omvägsfaktor (1,3) med tätort- och landsbygdshastigheter, inte ett vägnät; en "
        "besöksdag planeras, inte en vecka med frånvaro och ändringar; var passen börjar "
        "följer en regel för alla former (kontor, scenariots baser, en lokal bas där en "
        "utförare har tillräckligt många timmar i ett område); fasta kostnader per utförare, "
        "avtal och bas är angivna antaganden; brukarnas val följer en modell för "
        "rangordning, och omsorgens kvalitet och brukarnas egen syn på valfriheten mäts inte "
        "(personalkontinuiteten mäts, över 14 dagar, med begränsningarna i sitt avsnitt). Se "
        "docs/compare.md för parametrarna och deras källor och docs/validation.md för "
        "modellen bredvid publicerade siffror.",
    # --- published rows
    "About 58 % of staff time in clients' homes": "Omkring 58 % av personalens tid hos brukaren",
    "time logs of 172 groups in 15 municipalities (Jordahl & Persson)":
        "tidsloggar från 172 grupper i 15 kommuner (Jordahl & Persson)",
    "The cost defaults (indirect time per shift and visit, minimum shift) were calibrated to "
    "this figure, so agreement is by construction, not a test.":
        "Kostnadsantagandena (indirekt tid per pass och besök, kortaste pass) kalibrerades "
        "mot denna siffra, så överensstämmelsen är konstruerad, inte ett test.",
    "Travel about 18 % of visit-plus-travel time, planned by hand":
        "Resor omkring 18 % av besöks- plus restiden, planerat för hand",
    "one real Swedish home-care day (99 clients, 32 staff)":
        "en verklig svensk hemtjänstdag (99 brukare, 32 personal)",
    "One real day of one municipality, partly on foot and by bicycle; a check of order of "
    "magnitude.":
        "En verklig dag i en kommun, delvis till fots och på cykel; en kontroll av "
        "storleksordningen.",
    "Same direction: LOV drives more in every seed, but {ratio} times at most, far from 2–3 "
    "times.":
        "Samma riktning: LOV kör mer i varje slumpfrö, men högst {ratio} gånger, långt från "
        "2–3 gånger.",
    "Not settled here: LOV drives more than zoning in some seeds and less in others.":
        "Inte avgjort här: LOV kör mer än geografisk indelning i vissa slumpfrön och mindre i "
        "andra.",
    "Not the same direction here: zoning drives more than LOV.":
        "Inte samma riktning här: geografisk indelning kör mer än LOV.",
    "Driving rises sharply when a private provider performs part of the visits; 2–3 times as "
    "long when cleaning is split off to another provider":
        "Körningen ökar kraftigt när en privat utförare gör en del av besöken; 2–3 gånger så "
        "lång när städningen läggs på en annan utförare",
    "km under LOV / km under zoning: {ratio}": "km med LOV / km med geografisk indelning: {ratio}",
    "Redrawing four home-care areas into two saves about 3.2 MSEK a year":
        "Att rita om fyra hemtjänstområden till två sparar omkring 3,2 mnkr per år",
    "Strängnäs kommun, 2021 estimate": "Strängnäs kommun, uppskattning 2021",
    "zoning − LOV, cost per year: {cost}":
        "geografisk indelning − LOV, kostnad per år: {cost}",
    "Not the same change: Strängnäs' estimate concerns its own organisation's areas; the "
    "model's includes procurement and every provider's fixed costs (stated assumptions). "
    "Order of magnitude only.":
        "Inte samma förändring: Strängnäs uppskattning gäller den egna organisationens "
        "områden; modellens inkluderar upphandling och varje utförares fasta kostnader "
        "(angivna antaganden). Endast storleksordning.",
    " MSEK": " mnkr",
    "Comparison of {regimes}": "Jämförelse av {regimes}",
    " on {name} ({clients} clients). ": " i {name} ({clients} brukare). ",
    # what the answer depends on (hemopt.sensitivity in the report)
    "What the answer depends on": "Vad svaret beror på",
    "What the answer depends on: {preset}": "Vad svaret beror på: {preset}",
    "{regime} − {reference}, {measure}": "{regime} − {reference}, {measure}",
    "Difference": "Skillnad",
    "At the defaults": "Med standardvärdena",
    "Median": "Median",
    "Sign holds": "Tecknet håller",
    "Two largest drivers": "De två största drivkrafterna",
    "μ* (mean |effect|), {unit}": "μ* (medelvärde av |effekt|), {unit}",
    "ST (total index)": "ST (totalt index)",
    "Tornado charts": "Tornadodiagram",
    "Every declared assumption (docs/assumptions.md) was varied over its plausible range: "
    "{method}, {n} assumptions, {runs} model runs on seed(s) {seeds} at scale {scale} (preset "
    "{preset}, sample seed {seed}). The ranges over the seeds above cover only the noise "
    "between seeds; these cover the modelling choices.":
        "Varje angivet antagande (docs/assumptions.md) varierades över sitt rimliga intervall: "
        "{method}, {n} antaganden, {runs} modellkörningar med slumpfrö {seeds} i skala {scale} "
        "(förinställning {preset}, urvalets slumpfrö {seed}). Intervallen över slumpfröna ovan "
        "täcker bara slumpens variation; dessa täcker modellvalen.",
    "The two largest drivers over every difference: {drivers}.":
        "De två största drivkrafterna över alla skillnader: {drivers}.",
    "Not varied": "Inte varierade",
    "{n} run(s) failed; their points are left out. First: {error}":
        "{n} körning(ar) misslyckades; deras punkter är utelämnade. Första: {error}",
    # procurement: bids and evaluation (hemopt.procurement in the report)
    "Procurement: bids and evaluation": "Upphandling: anbud och utvärdering",
    "Every external provider bids on every lot. Price: the lot's care hours at the hourly "
    "cost, travel as round trips from the bidder's nearest office or base, and any expansion "
    "beyond its capacity; the evaluated price weighs in quality. The lowest evaluated price "
    "among qualified bidders wins (in bold).":
        "Varje extern utförare lämnar anbud på varje anbudsområde. Pris: områdets "
        "omsorgstimmar till timkostnaden, resor tur och retur från anbudsgivarens närmaste "
        "kontor eller bas samt eventuell utbyggnad utöver dess kapacitet; utvärderingspriset "
        "väger in kvalitet. Lägsta utvärderingspris bland kvalificerade anbudsgivare vinner "
        "(i fetstil).",
    "Lots (areas awarded together): {lots}.":
        "Anbudsområden (områden som tilldelas tillsammans): {lots}.",
    "Lot": "Anbudsområde",
    "Bidder": "Anbudsgivare",
    "Volume (h/week)": "Volym (timmar per vecka)",
    "Travel (km/week)": "Resor (km per vecka)",
    "Price (SEK/week)": "Pris (kr per vecka)",
    "Quality": "Kvalitet",
    "Evaluated price (SEK/week)": "Utvärderingspris (kr per vecka)",
    "Capacity (h/week)": "Kapacitet (timmar per vecka)",
    "Expansion (h/week)": "Utbyggnad (timmar per vecka)",
    "Qualified": "Kvalificerad",
    "Winner": "Vinnare",
    "yes": "ja",
    "no": "nej",
    "The two largest drivers over the declared ranges ({method}, {runs} model runs; "
    "{file}): {drivers}. The report's section \"What the answer depends on\" has each "
    "difference's P5, median, P95 and how often its sign holds.":
        "De två största drivkrafterna över de angivna intervallen ({method}, {runs} "
        "modellkörningar; {file}): {drivers}. Rapportens avsnitt \"Vad svaret beror på\" "
        "visar varje skillnads P5, median, P95 och hur ofta dess tecken håller.",
}
