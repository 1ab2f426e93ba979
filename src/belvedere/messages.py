"""Every text a town's team reads (CLI help, messages, labels), in French, in one place.

Keeping them here makes a later translation a matter of adding a second dictionary.
"""

from __future__ import annotations

from datetime import date
from typing import Any

FR: dict[str, str] = {
    # app
    "app_help": "Belvédère — observatoire de la visibilité numérique des communes françaises.",
    "opt_db": "Fichier DuckDB du magasin (défaut : $BELVEDERE_DB, sinon ./belvedere.duckdb).",
    "opt_format": "Format de sortie : table, csv, tableur (CSV pour Excel ou LibreOffice en français) ou json.",
    "simulated_label": "⚠ DONNÉES SIMULÉES — audiences générées pour la démonstration, pas des chiffres réels.",
    "simulated_short": "données simulées",
    "error_prefix": "Erreur",
    "empty_scope": "Aucune commune pour la sélection « {spec} » (ex. region:53, dep:35, size:5k-10k, pvd, all).",
    # store
    "store_missing": "Le magasin {path} n'existe pas : lancez d'abord « belvedere init ».",
    "store_unwritable": "Impossible d'écrire le magasin {path} : {err}.",
    "store_unopenable": "Impossible d'ouvrir le magasin {path} : {err}",
    "store_closed": "Le magasin {path} a été fermé ; rouvrez-le (Observatory.open ou Store).",
    "store_too_new": (
        "Le magasin {path} est au schéma v{version}, plus récent que cette version de Belvédère "
        "(v{supported}) : mettez Belvédère à jour."
    ),
    "no_reference": "Le magasin ne contient pas le référentiel des communes : lancez « belvedere init ».",
    # init / reference
    "cmd_init": "Crée ou met à jour le magasin et y charge le référentiel des communes.",
    "init_done": (
        "Magasin {path} prêt (schéma v{version}) : {communes} communes, {history} codes historiques, "
        "{pvd} communes PVD ({pvd_source}), {guessed} titres d'articles déduits des noms (non vérifiés)."
    ),
    "bad_setting": "Réglage {name} invalide : {value!r} (attendu : un nombre entre {low:g} et {high:g}).",
    "not_a_file": "{path} n'est pas un fichier.",
    "bad_event_date": ("Date hors de portée : {day} (une date entre le {first} et aujourd'hui, au format AAAA-MM-JJ)."),
    "store_too_old": (
        "Le magasin {path} est au schéma v{version}, plus ancien que cette version de Belvédère (v{supported}) : "
        "lancez « belvedere init » pour le mettre à jour (les données sont gardées)."
    ),
    # communes
    "cmd_communes": "Chercher et afficher des communes.",
    "cmd_communes_search": "Cherche des communes par nom (sans tenir compte des accents ni de « St »/« Saint »).",
    "cmd_communes_show": "Affiche une commune (code INSEE, ancien code ou nom).",
    "unknown_commune": "Commune inconnue : « {query} ».",
    "did_you_mean": "Vouliez-vous dire : {names} ?",
    "cmd_snapshot": "Instantanés nationaux : exporter, importer, situer une commune dans la France entière.",
    "cmd_snapshot_export": (
        "Écrit l'instantané national du magasin (audience mensuelle de chaque commune, populations, articles, "
        "provenance) dans un fichier Parquet et sa somme de contrôle (.sha256)."
    ),
    "cmd_snapshot_import": (
        "Importe un instantané national (fichier ou URL, avec son .sha256) : vérifié, chargé en entier ou pas du tout."
    ),
    "cmd_snapshot_rank": "Situe une commune parmi toutes les communes d'après l'instantané national importé.",
    "opt_snapshot_out": "Fichier Parquet à écrire.",
    "arg_snapshot_source": "Fichier ou URL de l'instantané (sa somme de contrôle FICHIER.sha256 à côté).",
    "snapshot_exported": (
        "Instantané écrit : {path} ({start} – {end}, {communes} communes, {mb} Mo, {seconds} s) ; "
        "sa somme de contrôle à côté (.sha256)."
    ),
    "snapshot_imported": (
        "Instantané importé : du {start} au {end}, {communes} communes (sha256 {sha}…), en {seconds} s."
    ),
    "snapshot_none": "Ce magasin n'a pas d'instantané national : « belvedere snapshot import FICHIER_OU_URL ».",
    "snapshot_no_commune": "{code} n'a pas d'audience dans {source} sur cette période.",
    "snapshot_rank_title": "Rang national d'après l'instantané",
    "cmd_diagnose": (
        "Le diagnostic d'une commune en une commande : ses articles et son audience quotidienne (et celles de "
        "quelques communes comparables), sa place en France d'après un instantané national, le rapport."
    ),
    "opt_diagnose_snapshot": "Instantané national à importer d'abord (fichier ou URL).",
    "opt_diagnose_out": "Rapport à écrire (.html ou .pdf).",
    "opt_diagnose_peers": "Nombre de communes comparables récupérées avec elle (défaut : 20).",
    "opt_diagnose_offline": "Sans réseau : avec les données que le magasin contient déjà.",
    "diagnose_no_facts": "Articles non lus ({err}) : le diagnostic continue sans leurs caractéristiques.",
    "diagnose_start": ("Diagnostic de {name} ({code}) du {start} au {end}, avec {peers} communes comparables."),
    "report_national_ranks": "Place en France {period}, d'après {source} :",
    "diagnose_ranks": "Place en France {period}, d'après {source} : {ranks}.",
    "diagnose_no_snapshot": (
        "Sans instantané national, pas de rang parmi toutes les communes (seulement parmi celles du magasin) : "
        "« --snapshot FICHIER_OU_URL »."
    ),
    "diagnose_no_snapshot_row": "L'instantané national ne contient pas d'audience pour {code} sur cette période.",
    "lbl_source": "Source",
    "snapshot_no_whole_month": "Aucun mois entier du {start} au {end} : un instantané compte par mois.",
    "snapshot_unreadable": "Instantané illisible ({path}) : {err}",
    "snapshot_not_one": "{path} n'est pas un instantané Belvédère.",
    "snapshot_version": "{path} est un instantané de version {version} ; cette version de Belvédère lit la {mine}.",
    "snapshot_missing": "Instantané introuvable : {path}.",
    "snapshot_download": "Téléchargement de l'instantané impossible ({url}) : {err}. Relancez : il reprendra.",
    "snapshot_no_checksum": "Somme de contrôle absente ({path}) : l'instantané n'est pas importé.",
    "snapshot_bad_checksum": (
        "Somme de contrôle fausse pour {path} ({got}… au lieu de {expected}…) : fichier abîmé ou incomplet, "
        "rien n'est importé."
    ),
    "snapshot_simulated_into_real": (
        "{path} est un instantané de données simulées : il ne va que dans un magasin de démonstration "
        "(« belvedere demo »), jamais à côté d'audiences réelles."
    ),
    "snapshot_real_into_simulated": (
        "{path} est un instantané d'audiences réelles : il n'est pas mêlé au magasin de démonstration (simulé)."
    ),
    "snapshot_words": "l'instantané national du {start} au {end}, construit le {built}",
    "snapshot_simulated_words": "(données simulées)",
    "postal_code_shared": (
        "Le code postal {query} est celui de plusieurs communes : {candidates}. Donnez son code INSEE."
    ),
    "unknown_departement": "Département inconnu : « {value} » (son numéro ou son nom est attendu).",
    "unknown_region": "Région inconnue : « {value} » (son code ou son nom est attendu).",
    "unknown_epci": "Intercommunalité inconnue : « {value} » (son code SIREN ou son nom est attendu).",
    "ambiguous_commune": "« {query} » désigne plusieurs communes : {candidates}. Précisez le code INSEE.",
    "old_code_mapped": "Le code {old} ({kind}) correspond aujourd'hui à {name} ({code}).",
    "no_match": "Aucune commune ne correspond à « {query} ».",
    # pvd
    "cmd_pvd": "Liste des Petites Villes de Demain (PVD).",
    "cmd_pvd_load": "Charge la liste PVD de l'ANCT (fichier CSV local ou URL).",
    "pvd_file_missing": "Fichier PVD introuvable : {path}.",
    "pvd_bad_encoding": "Le fichier PVD {path} n'est pas un CSV UTF-8 lisible.",
    "pvd_missing_column": "Le fichier PVD {path} n'a pas de colonne de code INSEE (attendu : {expected}).",
    "pvd_empty": "Le fichier PVD {path} ne contient aucune ligne.",
    "pvd_download_failed": "Téléchargement de la liste PVD impossible ({url}) : {err}.",
    "pvd_loaded": (
        "{loaded} communes PVD chargées depuis {source} ({mapped} anciens codes rattachés à leur commune "
        "actuelle, {rejected} lignes rejetées)."
    ),
    "pvd_reject_bad_code": "code INSEE mal formé",
    "pvd_reject_unknown_code": "code INSEE inconnu du référentiel",
    "pvd_reject_duplicate": "commune déjà présente dans la liste",
    # demo
    "cmd_demo": (
        "Génère une audience SIMULÉE réaliste (déterministe) pour toutes les communes ou une sélection, "
        "et affiche un résumé."
    ),
    "opt_seed": "Graine du générateur (même graine, même magasin).",
    "opt_years": "Nombre d'années simulées (se terminant hier).",
    "opt_communes": "Communes : pvd, all, ou codes INSEE séparés par des virgules.",
    "opt_pvd_file": "Liste PVD à charger avant la simulation (CSV ANCT).",
    "opt_end": "Dernier jour simulé (AAAA-MM-JJ ; défaut : hier).",
    "demo_real_data": (
        "Le magasin {path} contient des audiences réelles : la démonstration n'y écrit pas. "
        "Utilisez un autre fichier (--db)."
    ),
    "demo_no_pvd": "Aucune liste PVD chargée : « --communes pvd » n'est pas possible.",
    "demo_generating": "Simulation de l'audience",
    "demo_done": "{communes} communes × {days} jours simulés ({rows} lignes, {views} vues) en {seconds:.1f} s.",
    "demo_summary_title": "Résumé du magasin",
    "demo_top_title": "Top 10 des PVD par vues par habitant ({start} → {end})",
    "demo_top_all_title": "Top 10 des communes par vues par habitant ({start} → {end})",
    # info
    "cmd_info": "Ce que contient le magasin : volumes, période, sources, données simulées ou réelles.",
    # export
    "cmd_export": "Exporter des données du magasin.",
    "cmd_export_audience": (
        "Série quotidienne par commune (code,date,access,agent,views) : redirections additionnées, jours sans vue à 0."
    ),
    "opt_start": "Premier jour (AAAA-MM-JJ).",
    "opt_end_export": "Dernier jour (AAAA-MM-JJ).",
    "opt_agents": "Agents : user, automated, spider (séparés par des virgules).",
    "bad_date": "Date invalide : « {value} » (format attendu AAAA-MM-JJ).",
    "end_before_start": "La date de fin ({end}) est avant la date de début ({start}).",
    "table_more_rows": ("… les {shown} premières lignes ; les {more} autres avec --format csv, tableur ou json."),
    "bad_format": "Format inconnu : « {value} » (table, csv, tableur ou json).",
    "bad_agent": "Agent inconnu : « {value} » (user, automated ou spider).",
    "export_gaps": "Attention : {missing} jours de la période n'ont pas de données pour {communes} commune(s).",
    "no_audience": "Aucune audience dans le magasin pour ces communes sur cette période.",
    # http / fetch
    "no_contact": (
        "Indiquez un contact (--contact ou BELVEDERE_CONTACT, ex. une adresse e-mail) : la politique de "
        "Wikimedia exige un User-Agent identifiable."
    ),
    "bad_concurrency": (
        "Concurrence {value} refusée : entre 1 et {max} requêtes simultanées (politique de Wikimedia)."
    ),
    "http_bad_json": "réponse JSON illisible (HTTP {status})",
    "http_client_error": "HTTP {status} : {detail}",
    "http_gave_up": "abandon après {tries} essais ({error})",
    "http_no_such_file": "ce fichier n'existe pas sur le serveur (vérifiez sa date, son heure et son dossier)",
    "http_short_file": "fichier incomplet ({got} octets sur {total})",
    "no_network": "Service injoignable ({url}) : {err}. Vérifiez la connexion ou l'adresse configurée.",
    "start_too_early": "Les données de Wikimedia commencent le {first} : la date de début {start} est trop tôt.",
    "end_clamped": "La date de fin {end} est dans le futur : ramenée à {clamped}.",
    "fetch_simulated_store": (
        "Le magasin {path} contient des données simulées : utilisez un autre fichier (--db) pour des audiences réelles."
    ),
    "cmd_fetch": (
        "Récupère les audiences quotidiennes réelles (API REST Wikimedia) des communes choisies, "
        "par accès, pour la période ; ne redemande que les jours manquants."
    ),
    "cmd_articles": "Articles Wikipédia des communes.",
    "cmd_articles_resolve": (
        "Trouve l'article frwiki de chaque commune via Wikidata (P374), puis son identifiant et ses redirections."
    ),
    "opt_contact": "Contact mis dans le User-Agent (e-mail ou URL) ; défaut : $BELVEDERE_CONTACT.",
    "opt_refresh": "Redemande aussi les jours déjà présents.",
    "opt_concurrency": "Requêtes simultanées (1 à 3).",
    "opt_wikimedia_api": "URL de base de l'API REST Wikimedia (défaut : $BELVEDERE_WIKIMEDIA_API).",
    "opt_wikidata_sparql": "URL du point SPARQL Wikidata (défaut : $BELVEDERE_WIKIDATA_SPARQL).",
    "opt_mediawiki_api": "URL de l'API MediaWiki (défaut : $BELVEDERE_MEDIAWIKI_API).",
    "fetch_progress": "Audiences",
    "fetch_summary": (
        "{articles} titres, {requests} requêtes ({retries} nouvelles tentatives, {throttled} × 429), "
        "{rows} lignes écrites, {empty} plages sans données, {failed} échecs, en {seconds:.1f} s."
    ),
    "fetch_nothing_to_do": "Rien à récupérer : toutes les dates demandées sont déjà dans le magasin.",
    "fetch_failed_list": "Échecs (inscrits dans le journal d'ingestion, relancez la commande pour reprendre) :",
    "fetch_failed_exit": "{failed} requêtes ont échoué.",
    "resolve_summary": (
        "{resolved} communes reliées à leur article ({redirects} redirections), {missing} sans article frwiki."
    ),
    "resolve_missing": "Sans article frwiki sur Wikidata : {codes}",
    "resolve_recovered": (
        "Audience des dumps déjà ingérés retrouvée pour les {titles} nouveaux titres : {rows} lignes "
        "journalières, {hours} lignes horaires en attente."
    ),
    "resolve_not_recovered": (
        "{titles} nouveau(x) titre(s) sans audience retrouvable dans les dumps déjà ingérés sur {days} jour(s) "
        "(du {first} au {last} ; ex. {examples}) : ces jours restent sans données (jamais des zéros) ; "
        "relisez leurs fichiers avec « belvedere ingest --replace »."
    ),
    "guessed_titles": "{n} communes sans article résolu : titre déduit du nom (non vérifié).",
    # labels
    "lbl_code": "Code",
    "lbl_name": "Commune",
    "lbl_dep": "Dép.",
    "lbl_region": "Région",
    "lbl_population": "Population",
    "lbl_size_class": "Taille",
    "lbl_pvd": "PVD",
    "lbl_cn": "Commune nouvelle",
    "lbl_views": "Vues",
    "lbl_views_per_inh": "Vues / hab.",
    "lbl_views_per_day": "Vues / jour",
    "lbl_yes": "oui",
    "lbl_no": "non",
    "lbl_merged": "Communes fusionnées",
    "lbl_point": "Point (lat, lon)",
    "lbl_epci": "EPCI",
    "lbl_zone": "Zone",
    "lbl_dep_name": "Département",
    "lbl_region_code": "Code région",
    "lbl_epci_code": "SIREN EPCI",
    "lbl_lat": "Latitude",
    "lbl_lon": "Longitude",
    "lbl_point_source": "Point (origine)",
    "lbl_history": "Historique",
    "lbl_mapped_from": "Retrouvée par",
    "lbl_source_code": "Code dans la source",
    "lbl_mapped_by": "Rattachement",
    "lbl_pvd_source": "Source de la liste PVD",
    "lbl_first_date": "Premier jour",
    "lbl_last_date": "Dernier jour",
    "lbl_path": "Fichier",
    "info_title": "Magasin {path}",
    "info_schema": "Schéma",
    "info_communes": "Communes",
    "info_history": "Codes historiques",
    "info_pvd": "Communes PVD",
    "info_articles": "Articles",
    "info_rows": "Lignes d'audience",
    "info_dump_files": "Fichiers de dumps ingérés",
    "info_project_pages": "Pages du projet gardées (--all-articles)",
    "info_period": "Période",
    "info_total_views": "Vues (agent user)",
    "info_sources": "Sources",
    "info_simulated": "Données simulées",
    # analytics
    "no_audience_in_period": ("Pas d'audience entre le {start} et le {end} : le magasin couvre du {first} au {last}."),
    "no_audience_commune": "Pas d'audience pour la commune {code} sur la période : lancez « belvedere fetch ».",
    "bad_metric": "Indicateur inconnu « {metric} » ; au choix : {choices}.",
    "read_only_store": "Le magasin est ouvert en lecture seule.",
    "annotation_empty": "Le texte de l'annotation est vide.",
    "bad_category": "Catégorie inconnue « {value} » ; au choix : {choices}.",
    "bad_url": "Lien invalide « {url} » : il doit commencer par http:// ou https://.",
    "annotation_needs_commune": "Indiquez la commune du pic (ou --shared pour un événement partagé).",
    "cmd_compute": (
        "Calcule les chiffres nationaux d'une période (rangs, surplus, pics, typologie, événements) et les garde "
        "dans le magasin : les commandes, les rapports et le serveur les lisent ensuite en un instant. Sans "
        "période : les périodes standard (toute l'audience, les 12 derniers mois, les 3 dernières années, chaque "
        "année civile complète), recalculées aussi après chaque écriture d'audience."
    ),
    "info_figures": "Chiffres nationaux gardés",
    "figures_not_kept": "Les chiffres nationaux du {start} au {end} ont été calculés pour cette commande, sans "
    "être gardés ; « {how} » les garde dans le magasin : les commandes suivantes les liront aussitôt.",
    "figures_refreshed": "Chiffres nationaux du {start} au {end} recalculés avec la nouvelle audience.",
    "figures_patched": "Chiffres nationaux du {start} au {end} mis à jour avec la nouvelle audience de {n} "
    "commune(s) ; ceux des autres communes, inchangés, ont été gardés.",
    "figures_restamped": "Chiffres nationaux du {start} au {end} gardés tels quels : les dernières écritures ne "
    "changent l'audience d'aucune commune.",
    "info_figures_stale": "à recalculer : l'audience a changé depuis",
    "compute_done": "Chiffres nationaux du {start} au {end} calculés et gardés dans le magasin.",
    "compute_total": "{n} période(s) calculée(s) en {seconds} s.",
    "stage_periods": "Périodes",
    "stage_audience": "Lecture des audiences",
    "stage_spikes": "Détection des pics (communes)",
    "opt_period_start": "Début de la période (AAAA-MM-JJ ; défaut : début des données).",
    "opt_period_end": "Fin de la période (AAAA-MM-JJ ; défaut : fin des données).",
    "opt_scope": (
        "Communes : all, pvd, region:CODE, dep:CODE, size:CLASSE (ex. size:5k-10k) "
        "ou codes/noms séparés par des virgules."
    ),
    "arg_commune": "Commune : code INSEE, ancien code ou nom.",
    "arg_commune_opt": "Commune (code INSEE ou nom) ; sinon --all ou --csv.",
    "arg_commune_annot": "Commune du pic annoté (inutile avec --shared).",
    "cmd_rank": "Classement des communes par audience (par habitant par défaut), avec leurs rangs en France.",
    "opt_metric": "Indicateur de classement (views_per_inhabitant, total_views, visibility_surplus, …).",
    "opt_limit": "Nombre de lignes affichées (0 = toutes).",
    "opt_group_by": "Avec --groups : group (PVD et classes de taille), region, departement, size_class, is_pvd.",
    "bad_group_by": "Regroupement inconnu « {by} » ; au choix : {choices}.",
    "opt_groups": "Compare PVD et classes de taille (médiane, quartiles) au lieu de classer les communes.",
    "rank_title": "Classement « {scope} » — {metric}",
    "groups_title": "PVD et classes de taille — {metric} (médiane et quartiles)",
    "cmd_profile": "Fiche d'une commune : audience, rangs, surplus de visibilité, saisonnalité, typologie, pics.",
    "surplus_words": "vue {x} fois ce que sa taille laisse prévoir",
    "ranks_words": "France {france} · PVD {pvd} · département {dep} · même taille {size}",
    "peers_words": "{rank} sur {of} communes comparables (vues par habitant)",
    "peers_not_ranked": "non classée parmi ses {of} communes comparables : population inconnue ou nulle",
    "days_with_data": "{n} jours avec des données",
    "change_unknown": "non mesurable (il faut deux années complètes de données)",
    "change_stable": "stable ({pct})",
    "change_up": "en hausse de {pct}",
    "change_down": "en baisse de {pct}",
    "surplus_no_population": (
        "La population de {name} est inconnue ou nulle : ses vues ne peuvent pas être rapportées à sa taille "
        "(pas de vues par habitant, pas de rang) ; elles restent comptées : {observed} vues par jour."
    ),
    "rank_of": "{rank} sur {of} {group}",
    "rank_group_france": "en France",
    "rank_group_held": "communes suivies ici",
    "ranks_partial": "{ranks} (seulement les communes dont l'audience est connue ici, pas toute la France)",
    "coverage_partial": (
        "Ce magasin suit l'audience de {held} sur {total} : les rangs, les médianes et l'audience "
        "attendue de cette page sont calculés parmi elles, pas sur toute la France."
    ),
    "coverage_snapshot": "La place de la commune en France vient de l'instantané national, plus bas.",
    "coverage_no_snapshot": (
        "Pour sa place en France, importez un instantané national (« belvedere snapshot import FICHIER »)."
    ),
    "rank_group_pvd": "Petites Villes de Demain",
    "rank_group_region": "dans sa région",
    "rank_group_departement": "dans son département",
    "rank_group_size_class": "de même taille",
    "ranks_none": "non classée sur la période",
    "ranks_none_population": "non classée : population inconnue ou nulle",
    "why_no_population": (
        "Population inconnue ou nulle : son audience ne peut pas être comparée à ce que sa taille laisse prévoir."
    ),
    "cmd_peers": "Les communes les plus comparables (taille, département, région, typologie, statut PVD).",
    "peers_title": "Communes comparables",
    "cmd_spikes": "Pics d'audience d'une commune, de toutes (--all) ou d'une série quelconque (--csv).",
    "opt_all_spikes": "Pics de toutes les communes de --scope.",
    "opt_spikes_csv": (
        "Détecter les pics d'une série quotidienne lue dans ce CSV (statistiques d'un site, autre page…)."
    ),
    "opt_date_column": "Colonne des dates (AAAA-MM-JJ) du CSV.",
    "opt_value_column": "Colonne des valeurs quotidiennes du CSV.",
    "opt_log_values": "Les valeurs du CSV sont des logarithmes naturels des vues.",
    "opt_bots": "Montrer (défaut) ou masquer les pics suspects (robots).",
    "spikes_what": "Indiquez une commune, ou --all, ou --csv FICHIER.",
    "spikes_title": "{n} pics",
    "spikes_csv_title": "Pics de la série {path}",
    "level_shifts_title": "Changements de niveau durables :",
    "file_missing": "Fichier introuvable : {path}",
    "csv_unreadable": "Impossible de lire le CSV {path} : {err}",
    "csv_no_column": "Le CSV {path} n'a pas de colonne « {column} » (colonnes : {columns}).",
    "csv_bad_values": "La colonne « {column} » contient des valeurs non numériques.",
    "cmd_events": "Événements partagés : pics de plusieurs communes commençant à ±1 jour d'intervalle.",
    "opt_alpha": "Taux de fausses découvertes admis parmi les événements trouvés par simultanéité (défaut 0,05).",
    "events_title": "{n} événements partagés",
    "cmd_annotate": "Annoter un pic (commune + date) ou un événement partagé (--shared), ou lister (--list).",
    "opt_annot_date": "Date du pic ou de l'événement (AAAA-MM-JJ).",
    "opt_annot_text": "Texte de l'annotation (ex. « Reportage au 13 h de TF1 »).",
    "opt_annot_url": "Lien vers la source (http…).",
    "opt_annot_category": "Catégorie : tv, film, presse, sport, campagne, evenement, autre.",
    "opt_annot_shared": "Annoter l'événement partagé de cette date.",
    "opt_annot_list": "Lister les annotations.",
    "annotate_usage": "Indiquez --date et --text (et la commune, ou --shared).",
    "annotated": "Annotation n° {id} enregistrée.",
    "annotation_no_spike": "Attention : aucun pic détecté à cette date pour cette commune ; l'annotation est gardée.",
    "annotations_title": "Annotations",
    "cmd_typology": "Typologie des communes (saisonnière, événementielle, notoriété, peu visible…) et pourquoi.",
    "typology_title": "Typologie",
    "lbl_rank": "Rang",
    "lbl_period_start": "Début de la période",
    "period_all": "Toute la période",
    "period_year": "Année {year}",
    "period_12_months": "12 derniers mois",
    "period_3_years": "3 dernières années",
    "span_years": "{n} ans",
    "span_year": "1 an",
    "span_months": "{n} mois",
    "span_days": "{n} jours",
    "period_words": "sur {span} (du {start} au {end})",
    "lbl_days": "Jours avec des données",
    "lbl_desktop_views": "Vues ordinateur",
    "lbl_mobile_views": "Vues mobile",
    "lbl_expected_daily": "Vues / jour attendues (taille)",
    "lbl_fit_slope": "Pente de l'ajustement population-vues",
    "lbl_summer_index_baseline": "Indice été (hors pics)",
    "lbl_winter_index_baseline": "Indice hiver (hors pics)",
    "lbl_weekday_index": "Indice {day}",
    "lbl_rank_in": "Rang {group}",
    "lbl_n_in": "Communes classées {group}",
    "lbl_percentile_in": "Centile {group}",
    "day_mon": "lundi",
    "day_tue": "mardi",
    "day_wed": "mercredi",
    "day_thu": "jeudi",
    "day_fri": "vendredi",
    "day_sat": "samedi",
    "day_sun": "dimanche",
    "group_france": "France",
    "group_pvd": "PVD",
    "group_region": "région",
    "group_departement": "département",
    "group_size_class": "taille",
    "lbl_period_end": "Fin de la période",
    "lbl_simulated": "Données simulées",
    "lbl_rank_france": "Rang France",
    "lbl_surplus": "Surplus de visibilité",
    "lbl_per_1000": "Vues / 1 000 hab. / an",
    "lbl_mobile_share": "Part mobile",
    "lbl_summer_share": "Part juillet-août",
    "lbl_winter_share": "Part décembre-mars",
    "lbl_summer_index": "Indice été",
    "lbl_winter_index": "Indice hiver",
    "lbl_yoy": "Évolution sur un an",
    "lbl_typology_code": "Type (code)",
    "lbl_typology": "Type",
    "lbl_explanation": "Pourquoi",
    "lbl_start": "Début",
    "lbl_peak": "Pic",
    "lbl_end": "Fin",
    "lbl_peak_views": "Vues au pic",
    "lbl_baseline_views": "Niveau habituel",
    "lbl_peak_ratio": "× habituel",
    "lbl_excess": "Vues en plus",
    "lbl_bot": "Robots ?",
    "lbl_annotations": "Annotations",
    "lbl_communes": "Communes",
    "lbl_names": "Noms",
    "lbl_background": "Attendu par hasard",
    "lbl_rank_in_group": "Rang dans le groupe",
    "lbl_is_target": "Commune étudiée",
    "lbl_spikes_per_year": "Pics / an",
    "lbl_group": "Groupe",
    "lbl_median": "Médiane",
    "lbl_q1": "1er quartile",
    "lbl_q3": "3e quartile",
    "lbl_period": "Période",
    "lbl_ranks": "Rangs",
    "lbl_national": "Place en France",
    "lbl_as_of": "Date des données",
    "lbl_month": "Mois",
    "lbl_referrer": "Article d'où ils viennent",
    "lbl_click_type": "Type de lien",
    "lbl_score_notoriete": "Score notoriété (0-100)",
    "lbl_score_contenus": "Score contenus (0-100)",
    "lbl_score_accessibilite": "Score accessibilité (0-100)",
    "lbl_score_animation": "Score animation (0-100)",
    "lbl_score_attractivite": "Score attractivité (0-100)",
    "lbl_coverage": "Attention",
    "lbl_peers": "Parmi ses pairs",
    "lbl_spikes": "Pics",
    # reports
    "report_no_data": "pas de données",
    "cmd_serve": (
        "Lance le tableau de bord web (pages en français) et l'API JSON (/api/…, description OpenAPI sur "
        "/openapi.json) sur le magasin, ouvert en lecture seule. Une récupération (fetch) peut tourner à côté : "
        "quand elle a fini, le serveur recalcule ses chiffres en arrière-plan et les remplace, sans redémarrage."
    ),
    "opt_host": "Adresse d'écoute (défaut 127.0.0.1 : cette machine seulement).",
    "opt_port": "Port d'écoute.",
    "opt_write_token": (
        "Jeton qui autorise les écritures (annotations) ; sinon $BELVEDERE_WRITE_TOKEN ; sans jeton, lecture seule."
    ),
    "opt_warm": "Calculer les indicateurs nationaux avant d'accepter les requêtes.",
    "opt_serve_refresh": (
        "Toutes les combien de secondes regarder si le magasin a changé (nouvelles données) ; 0 : jamais."
    ),
    "serve_warming": "Calcul des indicateurs nationaux…",
    "opt_serve_fetch": (
        "Permettre au serveur de récupérer l'audience d'une commune qui n'en a pas encore (bouton « Analyser cette "
        "commune », quelques dizaines de requêtes à Wikimedia) ; demande un contact (--contact ou "
        "$BELVEDERE_CONTACT). Sans cette option, le serveur ne contacte jamais Wikimedia."
    ),
    "serve_fetch_no_contact": (
        "--fetch demande un contact pour l'en-tête User-Agent envoyé à Wikimedia : --contact ADRESSE ou "
        "$BELVEDERE_CONTACT."
    ),
    "serve_fetch_simulated": "--fetch est impossible sur un magasin simulé ({path}) : l'audience réelle n'y entre pas.",
    "serve_fetch_on": "récupération autorisée (Analyser cette commune)",
    "web_fetch_not_allowed": (
        "Ce serveur ne récupère pas d'audience : il a été lancé sans --fetch. Lancez « belvedere diagnose CODE » "
        "dans un terminal, ou relancez le serveur avec --fetch --contact ADRESSE."
    ),
    "web_no_analysis": "Aucune analyse lancée pour {code}.",
    "web_error_title_409": "Déjà en cours, ou déjà fait",
    "analysis_busy_title": "Une analyse est déjà en cours",
    "web_error_title_429": "Trop de demandes d'un coup",
    # --- the residents' survey (issue #20) ---
    "survey_unknown": "Aucun questionnaire « {id} » : vérifiez le lien ou le code QR.",
    "survey_none": "Aucun questionnaire n'a été créé sur ce serveur.",
    "survey_title_empty": "Le titre du questionnaire est vide.",
    "survey_title_long": "Le titre du questionnaire dépasse {max} caractères.",
    "survey_already": "Vous avez déjà répondu à ce questionnaire depuis cet appareil : merci !",
    "survey_no_texts": "La réponse n° {id} n'existe pas ou ne contient aucun texte à approuver.",
    "survey_bad_score": "Choisissez une note de 0 à 10 pour la question « {question} ».",
    "survey_text_long": "Votre réponse à « {question} » fait {n} caractères : {max} au plus, merci de la raccourcir.",
    "survey_bad_band": "La réponse à « {question} » n'est pas l'une de celles proposées.",
    "survey_form_expired": "Ce formulaire a plus de deux heures : rechargez la page, puis répondez à nouveau.",
    "survey_form_foreign": (
        "Cette réponse ne vient pas du formulaire de ce questionnaire (ou les cookies sont bloqués) : "
        "ouvrez le lien du questionnaire, puis répondez."
    ),
    "survey_read_only": "Ce serveur est en lecture seule : il n'enregistre pas de réponses.",
    "survey_too_many": "Trop de réponses viennent d'arriver d'ici : réessayez dans {minutes} minute(s).",
    "sim_survey_title": "Votre avis sur {name} (questionnaire SIMULÉ)",
    "survey_team_title": "Questionnaire « {title} » : espace de l'équipe",
    "survey_team_link": "Le lien à partager :",
    "survey_team_print": "Imprimez ce code QR sur une affiche ou un flyer ; il mène au questionnaire. Télécharger :",
    "survey_qr_alt": "Code QR du lien du questionnaire ({url})",
    "survey_team_moderation": "Relire les textes des habitants",
    "survey_team_load": "Afficher les textes à relire",
    "survey_team_approve": "Publier",
    "survey_team_reject": "Ne pas publier",
    "survey_team_none": "Aucun texte en attente de relecture.",
    "survey_team_done_approved": "Publié.",
    "survey_team_done_rejected": "Ne sera pas publié.",
    "survey_team_refused": "Refusé : ",
    "survey_team_export": "Exporter toutes les réponses (CSV)",
    "survey_team_erase": "Effacer toutes les réponses",
    "survey_team_confirm_erase": "Effacer définitivement toutes les réponses de ce questionnaire ?",
    "survey_team_erased": "Réponses effacées : ",
    "survey_create_title": "Questionnaire aux habitants",
    "survey_create_intro": (
        "Demandez directement aux habitants ce qu'ils pensent de leur commune : un lien et un code QR à "
        "imprimer, des réponses anonymes sur téléphone, des résultats à côté de l'audience."
    ),
    "survey_create_label": "Titre du questionnaire",
    "survey_create_default": "Votre avis sur {name}",
    "survey_create_button": "Créer le questionnaire",
    "survey_qr_title": "Lien du questionnaire aux habitants",
    "survey_q_attachment": "Êtes-vous attaché(e) à votre commune ?",
    "survey_q_recommend": "Recommanderiez-vous votre commune à un ami pour y vivre ou la visiter ?",
    "survey_q_proud": "De quoi êtes-vous fier ou fière dans votre commune ?",
    "survey_q_missing": "Qu'est-ce qui lui manque ?",
    "survey_q_age_band": "Votre âge",
    "survey_q_years_band": "Depuis combien de temps y vivez-vous ?",
    "survey_scale_low": "0 = pas du tout",
    "survey_scale_high": "10 = tout à fait",
    "survey_optional": "facultatif",
    "survey_choose": "— ne pas répondre —",
    "survey_intro": "Un questionnaire de quelques questions, pour la commune de {name}. Il est anonyme.",
    "survey_privacy": (
        "Aucune donnée personnelle n'est enregistrée : ni nom, ni adresse, ni adresse IP. Un cookie évite "
        "de répondre deux fois depuis le même appareil. Vos textes ne sont publiés qu'après relecture par "
        "l'équipe de la commune. Les réponses sont effacées au bout de {days} jours."
    ),
    "survey_texts_hint": "{max} caractères au plus. Publié après relecture par l'équipe.",
    "survey_send": "Envoyer ma réponse",
    "survey_fix": "À corriger",
    "survey_thanks_title": "Merci !",
    "survey_thanks": "Votre réponse au questionnaire de {name} est enregistrée.",
    "survey_thanks_texts": "Vos textes seront publiés après relecture par l'équipe de la commune.",
    "survey_see_results": "Voir les résultats",
    "survey_results_title": "Résultats : {title}",
    "survey_results_none": "Personne n'a encore répondu.",
    "survey_results_count": "{n} réponse(s), du {first} au {last}.",
    "survey_attachment": "Attachement à la commune",
    "survey_recommend": "Recommanderait la commune",
    "survey_ambassador": "Score d'ambassadeur",
    "survey_ambassador_help": (
        "Part des habitants qui la recommanderaient vivement (9 ou 10) moins la part de ceux qui ne la "
        "recommanderaient pas (0 à 6), en points, de −100 à +100."
    ),
    "survey_out_of_10": "{value} / 10",
    "survey_points": "{value} points",
    "survey_interval": "intervalle de confiance à 95 % : {low} à {high}",
    "survey_interval_none": "trop peu de réponses pour un intervalle",
    "survey_split": "{promoters} promoteur(s), {passives} neutre(s), {detractors} détracteur(s)",
    "survey_audience": (
        "Sur les mêmes jours (du {start} au {end}), l'article Wikipédia de la commune a été lu {views} fois "
        "({days} jour(s) de données)."
    ),
    "survey_audience_none": (
        "L'audience Wikipédia de la commune sur ces jours n'est pas encore dans la base : elle s'affichera ici "
        "une fois récupérée."
    ),
    "survey_texts_title": "Ce que disent les habitants",
    "survey_texts_none": "Aucun texte publié pour l'instant.",
    "survey_texts_pending": "{n} texte(s) en attente de relecture par l'équipe.",
    "survey_proud": "Fierté",
    "survey_missing": "Ce qui manque",
    "survey_print": "Le lien à imprimer ou partager : {url}",
    "web_error_title_403": "Action non autorisée",
    "cmd_articles_facts": (
        "Lit ce qu'est l'article de chaque commune (API MediaWiki) : longueur, image principale, fichiers, "
        "références, sections, label de qualité, autres langues, dernière modification ; gardé par article avec "
        "sa date de lecture. Les articles lus depuis moins de 30 jours sont gardés (--refresh : tout relire)."
    ),
    "opt_facts_refresh": "Relire aussi les articles lus depuis moins de 30 jours.",
    "opt_facts_history": (
        "Lire aussi l'historique de chaque article (âge, modifications et contributeurs des 12 derniers mois) : "
        "deux requêtes de plus par article ; par défaut jusqu'à 200 articles."
    ),
    "facts_history_skipped": (
        "Historique des articles non lu ({n} articles, plus de {limit}) : ajoutez --history pour le lire "
        "(deux requêtes de plus par article)."
    ),
    "facts_progress": "Articles",
    "facts_summary": (
        "{read} articles lus, {missing} introuvables sur frwiki, {items} éléments Wikidata lus, en {requests} "
        "requêtes et {seconds} s."
    ),
    "facts_bad_answer_sparql": (
        "Réponse inattendue du service SPARQL de Wikidata ({url}) : rien n'a été écrit pour ce lot."
    ),
    "facts_all_fresh": "Tous ces articles ont été lus depuis moins de {days} jours : --refresh pour les relire.",
    "facts_unresolved": ("{communes} sans article vérifié : lancez d'abord « belvedere articles resolve »."),
    "facts_simulated_store": (
        "Le magasin {path} est simulé : on n'y lit pas d'articles réels. Utilisez un magasin réel (--db)."
    ),
    "facts_bad_answer": "Réponse inattendue de l'API MediaWiki ({url}) : rien n'a été écrit pour ce lot.",
    "dim_notoriete": "Notoriété et recherche",
    "dim_contenus": "Information et qualité des contenus",
    "dim_accessibilite": "Accessibilité et inclusion",
    "dim_animation": "Animation",
    "dim_attractivite": "Attractivité et récit",
    "dim_missing_notoriete": "non disponible",
    "dim_missing_contenus": "non disponible",
    "dim_missing_accessibilite": (
        "non disponible : chargez les statistiques communales de l'ARCEP ou la cartographie de la médiation "
        "numérique (belvedere access load)"
    ),
    "ind_label_languages": "Langues dans lesquelles Wikidata nomme la commune",
    "ind_mobile_4g": "Opérateurs mobiles ayant une antenne 4G sur la commune (sur 4)",
    "ind_mobile_5g": "Opérateurs mobiles ayant une antenne 5G sur la commune (sur 4)",
    "ind_digital_help": "Lieux d'aide au numérique (médiation numérique, France Services) sur la commune",
    "unit_operators": "opérateurs",
    "unit_places": "lieux",
    "source_kind_mobile": "ARCEP, Mon réseau mobile, sites par opérateur (belvedere access load)",
    "source_kind_inclusion": "cartographie nationale des lieux de médiation numérique (belvedere access load)",
    "ind_edits_12m": "Modifications de l'article sur 12 mois",
    "ind_editors_12m": "Contributeurs de l'article sur 12 mois",
    "unit_edits": "modifications",
    "unit_editors": "contributeurs",
    "ind_labels": "Labels touristiques (Plus Beaux Villages, Villes fleuries, station classée…)",
    "ind_ftth_share": "Locaux raccordables à la fibre (FttH)",
    "ind_thd30_share": "Locaux éligibles à 30 Mbit/s ou plus par câble ou fibre",
    "unit_labels": "labels",
    "unit_percent_premises": "% des locaux",
    "source_kind_access": "ARCEP, Ma connexion internet (belvedere access load)",
    "source_kind_labels": "listes officielles des labels (belvedere labels load)",
    "dim_missing_animation": "non disponible",
    "dim_missing_attractivite": (
        "non disponible : chargez la capacité d'hébergement touristique de l'INSEE (belvedere tourism load)"
    ),
    "ind_views_per_inhabitant": "Vues de l'article par habitant",
    "ind_visibility_surplus": "Audience par rapport à l'attendu pour sa taille",
    "ind_yoy_change": "Évolution de l'audience sur un an",
    "ind_length": "Longueur de l'article",
    "ind_lead_image": "Image principale",
    "ind_images": "Fichiers affichés",
    "ind_refs": "Références",
    "ind_languages": "Autres langues",
    "ind_days_since_edit": "Jours depuis la dernière modification",
    "ind_sitelinks": "Projets Wikimedia qui parlent de la commune",
    "ind_commons_files": "Fichiers de sa catégorie Wikimedia Commons",
    "ind_website": "Site officiel déclaré sur Wikidata",
    "ind_social_accounts": "Comptes de réseaux sociaux déclarés sur Wikidata",
    "unit_sitelinks": "projets",
    "unit_accounts": "comptes",
    "source_kind_wikidata": "Wikidata (SPARQL) et Wikimedia Commons (belvedere articles facts)",
    "unit_views_per_inh": "vues par habitant sur la période",
    "unit_times_expected": "fois l'audience attendue",
    "unit_share": "part (0,1 = 10 %)",
    "unit_bytes": "octets",
    "unit_yes_no": "oui (1) ou non (0)",
    "unit_files": "fichiers",
    "unit_refs": "références",
    "unit_languages": "langues",
    "unit_days": "jours",
    "source_kind_audience": "Wikimedia, pages vues de l'article et de ses redirections",
    "source_kind_facts": "API MediaWiki de fr.wikipedia (belvedere articles facts)",
    "peer_group_size_class": "communes de même taille",
    "peer_group_pvd_size_class": "Petites Villes de Demain de même taille",
    "scorecard_title": "Territoire numérique de {name}",
    "scorecard_intro": (
        "Les cinq dimensions du territoire numérique (étude Banque des Territoires). Chaque indicateur est placé "
        "parmi les {peers} ({n}) : un percentile de 80 veut dire que la commune fait mieux que 80 % d'entre "
        "elles. Le score d'une dimension (0 à 100) est la moyenne de ses percentiles."
    ),
    "scorecard_col_dimension": "Dimension",
    "scorecard_sources": "Sources : {sources}.",
    "scorecard_percentile": "percentile {p} (sur {n})",
    "scorecard_col_score": "Score (0-100)",
    "scorecard_col_indicator": "Indicateur",
    "scorecard_col_value": "Valeur",
    "scorecard_col_percentile": "Percentile",
    "scorecard_col_source": "Source, date",
    "cmd_scorecard": (
        "Le « territoire numérique » d'une commune : notoriété, contenus, accessibilité, animation, attractivité, "
        "chaque indicateur placé parmi les communes de même taille, et les conseils qui en découlent."
    ),
    "fact_website": "Site officiel (Wikidata)",
    "fact_social": "Réseaux sociaux déclarés (Wikidata)",
    "fact_commons_files": "Fichiers de sa catégorie Commons",
    "fact_sitelinks": "Projets Wikimedia qui en parlent",
    "fact_none_declared": "aucun déclaré",
    "fact_no_category": "pas de catégorie Commons déclarée",
    "network_x": "X (Twitter)",
    "network_instagram": "Instagram",
    "network_facebook": "Facebook",
    "network_youtube": "YouTube",
    "network_tiktok": "TikTok",
    "network_linkedin": "LinkedIn",
    "rec_social_title": "Déclarer les comptes de la commune",
    "rec_social": (
        "Aucun compte de réseau social n'est déclaré sur l'élément Wikidata de {name} ({qid}){peers}. Ajoutez ceux "
        "de la mairie ou de l'office de tourisme (Facebook P2013, Instagram P2003, YouTube P2397…) : les infobox "
        "et les moteurs de recherche les reprennent."
    ),
    "rec_social_peers": " ; {share} des {n} de même taille en déclarent au moins un",
    "rec_social_trigger": "aucun compte déclaré sur Wikidata",
    "rec_website_title": "Déclarer le site officiel",
    "rec_website": (
        "L'élément Wikidata de {name} ({qid}) ne donne pas de site officiel (P856) : ajoutez-le, il apparaît dans "
        "l'infobox de l'article et dans les fiches des moteurs de recherche."
    ),
    "rec_website_trigger": "pas de site officiel sur Wikidata",
    "rec_fibre_title": "Faire connaître l'accès à internet",
    "rec_fibre": (
        "{share} des locaux de {name} sont raccordables à la fibre, contre {median} en médiane pour les {n} de sa "
        "taille (ARCEP, Ma connexion internet, au {date}). Pour les visiteurs et les nouveaux habitants qui "
        "cherchent en ligne où travailler : dites sur le site de la commune où trouver une bonne connexion "
        "(médiathèque, France services, tiers-lieu), et suivez le raccordement avec le réseau d'initiative "
        "publique du département."
    ),
    "rec_fibre_trigger": "fibre : {share} des locaux, sous le quart le moins raccordé des communes de sa taille",
    "rec_network_title": "Signaler une couverture mobile faible",
    "rec_network": (
        "{ops} une antenne 4G sur {name}, contre {median} en médiane pour les {n} de sa "
        "taille (ARCEP, Mon réseau mobile, au {date}). Une antenne voisine peut suffire : vérifiez sur la carte "
        "« Mon réseau mobile » de l'ARCEP ce que captent habitants et visiteurs, et signalez les zones mal "
        "couvertes à l'équipe projet départementale du dispositif de couverture ciblée (New Deal mobile)."
    ),
    "rec_network_trigger": "{ops} une antenne 4G, sous le quart le moins équipé des communes de sa taille",
    "rec_network_ops_0": "Aucun des 4 opérateurs mobiles n'a",
    "rec_network_ops_1": "Un seul des 4 opérateurs mobiles a",
    "rec_network_ops_n": "{n} des 4 opérateurs mobiles ont",
    "rec_digital_help_title": "Faire connaître l'aide au numérique",
    "rec_digital_help": (
        "Aucun lieu d'aide au numérique n'est recensé sur {name} dans la cartographie nationale de la médiation "
        "numérique ({date}), alors que {share} des {n} de sa taille en ont au moins un. Si la mairie, la "
        "médiathèque ou une association aide déjà les habitants dans leurs démarches en ligne, faites-la "
        "recenser sur cette cartographie et dites-le sur le site de la commune ; sinon, une permanence France "
        "Services itinérante ou un conseiller numérique peut être demandé auprès de la préfecture."
    ),
    "rec_digital_help_trigger": "aucun lieu d'aide au numérique, quand {share} des communes de sa taille en ont",
    "rec_label_title": "Mettre en avant son label",
    "rec_label": (
        "{name} porte le label « {label} »{detail} (liste {date}) : citez-le dans la section Tourisme de son "
        "article Wikipédia, avec la liste officielle comme référence, et déclarez-le sur son élément Wikidata "
        "(propriété « distinction reçue », P166) : les lecteurs qui cherchent ce label trouveront la commune."
    ),
    "rec_label_trigger": "label « {label} »",
    "cmd_tourism": "Capacité d'hébergement touristique des communes (INSEE), pour le tableau de bord.",
    "cmd_tourism_load": (
        "Charge le fichier INSEE « Capacité des communes en hébergement touristique » tel qu'il est publié (CSV "
        "séparé par des « ; », seul ou dans un zip ; en-tête CODGEO;LIBGEO;REG;DEP;HT25;…) : hôtels et chambres, "
        "campings et emplacements, lits des villages vacances, résidences de tourisme et auberges de jeunesse. "
        "Remplace le chargement précédent en entier."
    ),
    "arg_opendata_source": "Le fichier (chemin) ou son adresse https:// (téléchargement repris après coupure).",
    "opendata_missing": "Fichier introuvable : {path}.",
    "opendata_download": "Téléchargement impossible ({url}) : {err}. Relancez : il reprendra où il s'est arrêté.",
    "opendata_simulated_store": (
        "Le magasin {path} est simulé : on n'y charge pas de données officielles réelles. Utilisez un magasin réel."
    ),
    "tourism_no_csv": "Le zip {path} ne contient pas de fichier .csv.",
    "tourism_unreadable": "Fichier {path} illisible comme CSV séparé par des « ; » : {err}.",
    "tourism_bad_layout": (
        "Le fichier {path} n'a pas la forme du fichier INSEE de l'hébergement touristique : il faut une colonne "
        "CODGEO et une seule année de variables (HT25, HTCH25…)."
    ),
    "tourism_missing_columns": "Le fichier {path} n'a pas les colonnes {columns} : rien n'a été chargé.",
    "tourism_bad_value": (
        "Le fichier {path}, ligne {line}, colonne {column} : « {value} » n'est pas un nombre entier positif ; "
        "rien n'a été chargé."
    ),
    "tourism_bad_code": (
        "Le fichier {path}, ligne {line} : « {value} » n'est pas un code commune ; rien n'a été chargé."
    ),
    "tourism_loaded": "Hébergement touristique {vintage} chargé pour {n} communes (source : {source}).",
    "tourism_unknown_codes": (
        "{n} codes du fichier ne sont pas des communes actuelles du référentiel (arrondissements, communes "
        "fusionnées depuis), non gardés : {examples}…"
    ),
    # --- official lists of communes: zones, fixed broadband, labels (issue #18) ---
    "table_unreadable": "Fichier {path} illisible comme classeur : {err}.",
    "table_no_header": (
        "Le fichier {path} n'a pas de ligne d'en-tête avec la colonne des communes ({columns}) : ce n'est pas "
        "la liste publiée ; rien n'a été chargé."
    ),
    "table_bad_code": "Le fichier {path}, ligne {line} : « {value} » n'est pas un code commune ; rien n'a été chargé.",
    "table_empty": "Le fichier {path} ne contient aucune commune : rien n'a été chargé.",
    "cmd_zones": "Communes littorales (loi Littoral) et de montagne (loi Montagne), listes officielles de l'ANCT.",
    "cmd_zones_load": (
        "Charge une liste officielle (fichier ou URL, .xlsx tel que publié ou CSV) : « littoral » ou « montagne ». "
        "La typologie ne dit « littoral » ou « montagne » que d'une commune de la liste."
    ),
    "arg_zone": "littoral ou montagne",
    "opt_vintage": "Année de la liste, quand ni son titre ni le nom du fichier ne la disent (ex. 2022).",
    "zone_unknown": "Zone « {zone} » inconnue : littoral ou montagne.",
    "zone_no_vintage": (
        "Ni le titre du fichier {path} ni son nom ne disent son année : précisez-la avec --vintage (ex. 2022)."
    ),
    "sim_list_vintage": "simulée",
    "zone_littoral": "loi Littoral",
    "zone_montagne": "loi Montagne",
    "zones_loaded": "Liste {zone} {vintage} chargée : {n} communes (source : {source}).",
    "cmd_access": (
        "Accès au numérique par commune (ARCEP : internet fixe et sites mobiles ; cartographie de la médiation "
        "numérique), pour le tableau de bord."
    ),
    "cmd_access_load": (
        "Charge un fichier tel que publié, fichier ou URL, reconnu à ses colonnes : ARCEP « Ma connexion "
        "internet » (commune_techno.csv pour la fibre, commune_debit_filaire.csv pour le débit filaire de 30 "
        "Mbit/s ou plus), ARCEP « Mon réseau mobile » (2024_T1_sites_Metropole.csv : opérateurs ayant une "
        "antenne 4G ou 5G sur la commune), ou la cartographie nationale des lieux de médiation numérique."
    ),
    "opt_access_date": "Date des données (AAAA-MM-JJ) quand le fichier ne la dit pas.",
    "access_bad_layout": (
        "Le fichier {path} n'a pas la forme des statistiques communales de l'ARCEP (colonnes code_insee, nbr, "
        "elig_ftth ou elig_thd30) : rien n'a été chargé."
    ),
    "access_more_than_premises": (
        "Le fichier {path}, ligne {line} : {eligible} locaux éligibles ({column}) pour {premises} locaux, "
        "incohérent ; rien n'a été chargé."
    ),
    "access_no_date": (
        "Le fichier {path} ne dit pas une date unique (colonne date) : donnez-la avec --date AAAA-MM-JJ si elle "
        "manque ; rien n'a été chargé."
    ),
    "access_ftth": "fibre (FttH)",
    "access_thd30": "filaire à 30 Mbit/s ou plus",
    "access_loaded": "Accès fixe au {date} chargé pour {communes} communes : {indicators} (source : {source}).",
    "access_op4g": "opérateurs avec une antenne 4G",
    "access_op5g": "opérateurs avec une antenne 5G",
    "access_mediation": "lieux de médiation numérique",
    "access_france_services": "dont France Services",
    "access_counts_loaded": (
        "{what} au {date} chargé pour {communes} communes de {deps} département(s) ({zero} sans aucun, comptées "
        "0) : {indicators} (source : {source})."
    ),
    "access_what_mobile": "Réseau mobile",
    "access_what_inclusion": "Aide au numérique",
    "mobile_bad_layout": (
        "Le fichier {path} n'a pas la forme du fichier des sites de l'ARCEP (colonnes insee_com, code_op, "
        "site_4g…) : rien n'a été chargé."
    ),
    "mobile_no_date": (
        "Le fichier {path} ne dit pas son trimestre (nom publié « 2024_T1_sites_Metropole.csv ») : donnez-le "
        "avec --date AAAA-MM-JJ ; rien n'a été chargé."
    ),
    "mediation_no_date": (
        "Le fichier {path} ne dit pas sa date (colonne date_maj vide) : donnez-la avec --date AAAA-MM-JJ ; rien "
        "n'a été chargé."
    ),
    "cmd_labels": "Labels qui font venir les visiteurs (Plus Beaux Villages de France, Villes fleuries…).",
    "cmd_labels_load": (
        "Charge la liste d'un label (fichier ou URL, CSV ou .xlsx avec une colonne de codes INSEE) : "
        "plus-beaux-villages, petites-cites-de-caractere, villes-villages-fleuris, art-et-histoire, "
        "station-classee. Chaque liste remplace la précédente du même label."
    ),
    "arg_label": "le label : plus-beaux-villages, petites-cites-de-caractere, villes-villages-fleuris, ...",
    "opt_label_date": "Date de la liste (AAAA ou AAAA-MM-JJ), quand ni son titre ni son nom ne la disent.",
    "label_unknown": "Label « {label} » inconnu ; labels connus : {known}.",
    "label_no_date": "Ni le titre du fichier {path} ni son nom ne disent sa date : précisez-la avec --date.",
    "label_bad_date": "Date de liste « {value} » illisible : AAAA ou AAAA-MM-JJ.",
    "label_plus-beaux-villages": "Plus Beaux Villages de France",
    "label_petites-cites-de-caractere": "Petites Cités de Caractère",
    "label_villes-villages-fleuris": "Villes et Villages Fleuris",
    "label_art-et-histoire": "Villes et Pays d'art et d'histoire",
    "label_station-classee": "Station classée de tourisme",
    "labels_loaded": "Label « {label} » ({date}) chargé : {n} communes (source : {source}).",
    # --- residents' attachment from open data (issue #20) ---
    "cmd_attachment": "Vie locale d'une commune : attachement des habitants (données publiques), à côté de l'audience.",
    "cmd_attachment_load": (
        "Charger un fichier public d'attachement : population (INSEE, séries historiques du recensement), "
        "turnout (ministère de l'Intérieur, résultats par commune d'une élection, avec --election) ou "
        "associations (répertoire national des associations, fichiers waldec) ou creations (INSEE, stock "
        "Sirene des établissements)."
    ),
    "arg_attachment_kind": "population, turnout, associations ou creations.",
    "opt_election": "Le nom de l'élection, avec son année (ex. « présidentielle 2022, 1er tour »).",
    "attachment_kind_unknown": (
        "Type de fichier inconnu : « {kind} » (population, turnout, associations ou creations)."
    ),
    "attachment_needs_election": "Pour un fichier de résultats électoraux, donnez --election (nom et année).",
    "attachment_election_year": "Le nom de l'élection « {election} » doit contenir son année (ex. 2022).",
    "attachment_unreadable": "Le fichier {path} n'est pas lisible comme un CSV « ; » ({err}) ; rien n'a été chargé.",
    "attachment_bad_layout": (
        "Le fichier {path} n'a pas la présentation attendue (colonnes {expected}) ; rien n'a été chargé."
    ),
    "attachment_bad_value": (
        "Le fichier {path}, colonne {column}, ligne {line} : « {value} » n'est pas un nombre ; rien n'a été chargé."
    ),
    "attachment_bad_code": (
        "Le fichier {path} contient « {value} », qui n'est pas un code commune ; rien n'a été chargé."
    ),
    "attachment_empty": "Le fichier {path} ne contient aucune commune ; rien n'a été chargé.",
    "attachment_loaded": "{n} valeurs chargées ({indicators}) pour {communes} communes (source : {source}).",
    "attachment_none": (
        "Aucune donnée de vie locale pour {code} : chargez-en avec « belvedere attachment-load » "
        "(population, turnout, associations, creations)."
    ),
    "vie_locale": "Vie locale",
    "vie_locale_intro": (
        "Ce que disent les données publiques de l'attachement des habitants : restent-ils, votent-ils, "
        "s'engagent-ils ? À lire à côté de l'audience, qui mesure l'attention venue de l'extérieur."
    ),
    "att_population": "Évolution de la population",
    "att_natural": "Dont solde naturel (naissances − décès)",
    "att_migration": "Dont solde migratoire (arrivées − départs)",
    "att_turnout": "Participation électorale",
    "att_associations": "Associations actives",
    "att_associations_new": "Associations créées en 3 ans",
    "att_creations": "Entreprises créées dans l'année",
    "advice_effect": (
        "Effet associé dans le modèle national ({n} communes) : {pct} de vues par habitant (de {lo} à {hi}). "
        "C'est une association observée entre communes, pas une promesse."
    ),
    "why_on_site": (
        "La saison se lit sur téléphone : la part du mobile y gagne {points} points, signe de visiteurs sur place."
    ),
    "on_site_words": (
        "Dans ses mois les plus lus (autour de {month}), la part des lectures sur téléphone gagne {points} points "
        "par rapport au reste de l'année : des visiteurs sur place consultent l'article."
    ),
    "on_site_flat": (
        "Dans ses mois les plus lus (autour de {month}), la part du téléphone ne monte pas ({points} points) : "
        "l'intérêt vient plutôt de loin que de visiteurs sur place."
    ),
    "impact_mobile_only": (
        "Sur téléphone seul, l'effet est net ({pct}, de {lo} à {hi}) alors qu'il ne l'est pas sur l'ensemble "
        "des lectures : la campagne a peut-être surtout attiré des visiteurs sur place."
    ),
    "att_period": "Période",
    "att_at": "au {day}",
    "att_between": "du {start} au {end}",
    "lbl_indicator": "Indicateur",
    "att_value": "Valeur",
    "att_trend": "Avant",
    "att_rank": "Parmi les communes de même taille",
    "att_percentile": "plus haut que {pct} d'entre elles ({n} communes)",
    "att_no_peers": "pas de comparaison possible",
    "att_source": "Source : {source}.",
    "att_seen_not_lived": (
        "{name} est très regardée de l'extérieur (plus que {audience} des communes de sa taille), mais "
        "{indicator} est parmi les plus bas de ces communes : l'attention ne dit pas tout de la vie sur place."
    ),
    "att_lived_not_seen": (
        "{name} est peu regardée de l'extérieur (moins que {audience} des communes de sa taille), alors que "
        "{indicator} est parmi les plus hauts de ces communes : une vie locale à faire connaître."
    ),
    "att_survey_link": "Questionnaire aux habitants « {title} » : {n} réponse(s)",
    "att_survey_results": "voir les résultats",
    "study_attachment": "Audience et attachement des habitants",
    "study_attachment_intro": (
        "Corrélation de rang (Spearman) entre les vues par habitant et chaque indicateur de vie locale, sur "
        "les communes de la sélection. Une corrélation n'est pas une cause : des communes touristiques peuvent "
        "être très regardées et perdre des habitants."
    ),
    "study_attachment_row": "{indicator} : ρ = {rho} ({n} communes)",
    "ind_beds_per_1000": "Lits touristiques pour 1 000 habitants",
    "ind_rooms_per_1000": "Chambres d'hôtel pour 1 000 habitants",
    "ind_pitches_per_1000": "Emplacements de camping pour 1 000 habitants",
    "unit_per_1000": "pour 1 000 habitants",
    "source_kind_tourism": "INSEE, capacité des communes en hébergement touristique (belvedere tourism load)",
    "source_kind_simulated": " — SIMULÉ (magasin de démonstration)",
    "and": "et",
    "explain_log_population": "Taille (population)",
    "explain_log_beds": "Lits touristiques pour 1 000 habitants",
    "explain_log_length": "Longueur de l'article Wikipédia",
    "explain_lead_image": "Image principale dans l'article",
    "explain_social_accounts": "Comptes de réseaux sociaux déclarés",
    "explain_commune_nouvelle": "Commune nouvelle",
    "explain_step_log": "quand il double",
    "explain_step_lead_image": "quand l'article en a une",
    "explain_step_commune_nouvelle": "quand c'en est une",
    "explain_step_social_accounts": "par compte de plus",
    "explain_labels": "Labels touristiques (Plus Beaux Villages, Villes fleuries, station classée…)",
    "explain_step_labels": "par label de plus",
    "explain_log_city_km": "Distance à la ville de 50 000 habitants la plus proche",
    "explain_step_log_city_km": "quand elle double",
    "explain_interval": "de {low} à {high}",
    "explain_own_log_population": "sa taille",
    "explain_own_log_beds": "son hébergement touristique",
    "explain_own_log_length": "son article",
    "explain_own_lead_image": "son article",
    "explain_own_social_accounts": "ses comptes déclarés",
    "explain_own_commune_nouvelle": "son statut de commune",
    "explain_own_labels": "ses labels",
    "explain_own_log_city_km": "sa distance à une grande ville",
    "explain_gap_below": (
        "L'audience de {name} est {pct} en dessous de ce que prévoient {factors}, d'après le modèle national "
        "({n} communes, {r2} de la variance expliquée)."
    ),
    "explain_gap_above": (
        "L'audience de {name} est {pct} au-dessus de ce que prévoient {factors}, d'après le modèle national "
        "({n} communes, {r2} de la variance expliquée)."
    ),
    "explain_gap_level": (
        "L'audience de {name} est au niveau de ce que prévoient {factors} (à {pct} près), d'après le modèle "
        "national ({n} communes, {r2} de la variance expliquée)."
    ),
    "explain_title": "Ce qui va avec l'audience par habitant ({scope}, {period})",
    "study_explain": "Ce qui va avec l'audience par habitant",
    "explain_intro": (
        "Modèle linéaire du logarithme des vues par habitant, ajusté sur {n} communes, erreurs robustes (HC3) : "
        "{r2} de la variance expliquée. Chaque effet se lit « les autres facteurs égaux » ; ce sont des "
        "associations, pas des causes (une commune très vue voit aussi son article écrit)."
    ),
    "explain_left_out": "Facteurs laissés de côté (connus pour trop peu de communes) : {factors}.",
    "explain_none": "Trop peu de communes ont tous les facteurs connus pour ajuster le modèle.",
    "explain_least": (
        "Les {n} communes les moins vues par habitant ont {ratio} fois moins de lits touristiques par habitant "
        "que la moyenne ({scope})."
    ),
    "explain_col_factor": "Facteur",
    "explain_col_step": "Lecture",
    "explain_col_effect": "Vues par habitant",
    "explain_col_interval": "Intervalle à 95 %",
    "cmd_explain": (
        "Ce qui va avec l'audience par habitant, à l'échelle nationale : taille, hébergement touristique, "
        "article, comptes ; effets avec leurs intervalles et part de variance expliquée."
    ),
    "clickstream_bad_name": (
        "Nom inattendu « {name} » : un fichier clickstream s'appelle clickstream-frwiki-AAAA-MM.tsv.gz (le mois est "
        "lu dans le nom)."
    ),
    "clickstream_not_frwiki": "Le fichier {name} n'est pas celui de frwiki : Belvédère lit clickstream-frwiki-….",
    "clickstream_bad_file": "Fichier clickstream {name} illisible ({err}) : rien n'a été écrit.",
    "clickstream_bad_rows": (
        "Fichier clickstream {name} : {n} lignes mal formées (type inconnu, nombre absent ou nul) : rien n'a été écrit."
    ),
    "clickstream_empty": "Fichier clickstream {name} vide : rien n'a été écrit.",
    "clickstream_done": (
        "{files} fichier(s) clickstream lu(s) ({skipped} déjà lu(s)) : {lines} lignes, {kept} gardées (vers un "
        "article de commune)."
    ),
    "referrer_search": "Moteurs de recherche",
    "referrer_wikipedia": "Autres articles de Wikipédia",
    "referrer_external": "Autres sites",
    "referrer_empty": "Accès direct (lien enregistré, application, adresse tapée)",
    "referrer_internal": "Autres pages de Wikimédia",
    "referrer_other": "Autres",
    "referrers_section": "D'où viennent les lecteurs",
    "referrers_lead": (
        "En {month}, {share} des lecteurs de l'article sont arrivés d'un moteur de recherche ({total} lecteurs "
        "comptés)."
    ),
    "referrers_articles": "Les articles qui lui ont envoyé le plus de lecteurs :",
    "referrers_note": (
        "Source : clickstream de Wikimédia (frwiki), qui ne publie que les provenances de plus de 10 lecteurs par mois."
    ),
    "referrers_none": (
        "Pas encore de clickstream pour cette commune : « belvedere ingest clickstream-frwiki-AAAA-MM.tsv.gz » "
        "(fichier ou adresse sur dumps.wikimedia.org) dit d'où viennent ses lecteurs."
    ),
    "referrers_col_source": "Provenance",
    "referrers_col_readers": "Lecteurs",
    "referrers_col_share": "Part",
    "cmd_referrers": "D'où viennent les lecteurs de l'article d'une commune (clickstream de Wikimédia), mois par mois.",
    "opt_month": "Un mois (AAAA-MM) ; défaut : tous ceux du magasin.",
    "bad_month": "Mois « {value} » illisible : AAAA-MM attendu (ex. 2024-10).",
    "cause_no_clickstream": "Pas de clickstream pour {month} : la provenance des lecteurs n'est pas connue.",
    "cause_none": "En {month}, aucune provenance de lecteurs n'a nettement augmenté.",
    "cause_article": (
        "En {month}, {n} lecteurs sont venus de l'article « {title} » (contre {usual} par mois d'habitude)."
    ),
    "cause_source": "En {month}, {n} lecteurs sont venus de : {source} (contre {usual} par mois d'habitude).",
    "event_by_referrer": "Lecteurs venus de l'article « {title} » ({n} lecteurs ce mois-là, clickstream)",
    "event_by_timing": (
        "Pics simultanés, plus nombreux que le hasard ne l'explique (sur la période, {chance} coïncidence(s) "
        "de ce niveau attendue(s) par hasard)"
    ),
    "lbl_event_origin": "Ce qui les relie",
    "cause_annotation_article": "Lecteurs venus de l'article « {title} » (clickstream)",
    "cause_annotation_source": "Hausse des lecteurs venus de : {source} (clickstream)",
    "cause_keep": "Retenir comme annotation",
    "lbl_cause": "Cause probable",
    "fact_section": "L'article Wikipédia",
    "fact_col_what": "Ce qu'on mesure",
    "fact_col_commune": "La commune",
    "fact_col_median": "Médiane des communes de même taille",
    "fact_length": "Longueur du texte",
    "fact_bytes": "octets",
    "fact_lead_image": "Image principale",
    "fact_share_with": "{share} en ont une",
    "fact_images": "Fichiers affichés (photos, cartes, blasons)",
    "fact_refs": "Références (sources citées)",
    "fact_sections": "Sections",
    "fact_languages": "Autres langues où l'article existe",
    "fact_quality": "Label de qualité",
    "fact_quality_adq": "Article de qualité",
    "fact_quality_ba": "Bon article",
    "fact_quality_none": "aucun",
    "fact_last_edit": "Dernière modification",
    "fact_unknown": "non disponible",
    "fact_source": (
        "Article « {title} », lu sur l'API MediaWiki de fr.wikipedia le {date} ; médianes de {peers} de même "
        "taille dont l'article a été lu."
    ),
    "fact_source_simulated": (
        "Article « {title} » : caractéristiques SIMULÉES (générées le {date}, liées à l'audience simulée), pas "
        "lues sur Wikipédia ; médianes de {peers} de même taille."
    ),
    "fact_none": (
        "L'article n'a pas encore été lu : « belvedere articles facts --communes CODE » (magasin réel) donne sa "
        "longueur, ses images, ses références, sa dernière modification, et des conseils qui en découlent."
    ),
    "ui_home_empty_title": "Bienvenue dans Belvédère",
    "ui_home_empty_why": (
        "Ce tableau de bord ne contient encore aucune audience Wikipédia : les communes sont connues (noms, "
        "populations, liste des Petites Villes de Demain), leur audience n'a pas encore été récupérée."
    ),
    "ui_home_empty_fetch": (
        "Cherchez votre commune ci-dessus (nom, code INSEE ou code postal), puis cliquez sur « Analyser cette "
        "commune » : Belvédère récupère son audience et celle de communes comparables, en une minute environ."
    ),
    "ui_home_empty_cli": (
        "Ce serveur ne récupère pas d'audience lui-même. Dans un terminal, une commande suffit pour une commune "
        "(son audience, celle de communes comparables, et son rapport) ; une autre donne des données simulées "
        "pour découvrir l'outil :"
    ),
    "ui_home_empty_commands": 'belvedere diagnose "Nom de la commune" --contact ADRESSE\nbelvedere demo',
    "ui_empty_command": "belvedere diagnose {code} --contact ADRESSE",
    "ui_empty_title": "Pas encore d'audience pour cette commune",
    "ui_empty_why": (
        "Le magasin de ce serveur ne contient pas d'audience Wikipédia pour {name} sur cette période : elle n'a "
        "pas encore été récupérée."
    ),
    "ui_empty_fetch_what": (
        "L'analyse trouve l'article Wikipédia de la commune et ceux de {peers} communes comparables (même taille, "
        "même région d'abord), récupère leur audience jour par jour sur les trois dernières années auprès de "
        "Wikimedia (environ {requests} requêtes, une minute au plus), puis affiche le tableau de bord."
    ),
    "ui_empty_fetch_button": "Analyser cette commune",
    "ui_empty_running": "Une analyse de cette commune est en cours.",
    "ui_empty_running_link": "Voir où elle en est",
    "ui_empty_no_fetch": (
        "Ce serveur ne récupère pas d'audience lui-même. Pour l'obtenir, lancez dans un terminal la commande "
        "ci-dessous (elle trouve l'article, récupère l'audience de la commune et de communes comparables, et "
        "écrit son rapport), ou relancez le serveur avec --fetch --contact ADRESSE :"
    ),
    "ui_empty_simulated": (
        "Ce magasin est simulé : il ne reçoit pas d'audience réelle. Cette commune ne fait pas partie des communes "
        "simulées."
    ),
    "ui_analysis_title": "Analyse de {name}",
    "ui_analysis_intro": (
        "Belvédère récupère l'audience Wikipédia de la commune et de {peers} communes comparables. La page se met "
        "à jour toute seule et mène au tableau de bord quand c'est prêt."
    ),
    "ui_analysis_steps": "Étapes",
    "ui_analysis_progress": "Avancement",
    "ui_analysis_step_articles": "Recherche des articles Wikipédia",
    "ui_analysis_step_audience": "Récupération de l'audience jour par jour",
    "ui_analysis_step_figures": "Calcul des chiffres",
    "ui_computing_title": "Calcul des chiffres nationaux en cours",
    "ui_computing_text": (
        "Belvédère calcule les chiffres de toutes les communes {period} (rangs, pics d'audience, typologie, "
        "événements partagés), une fois pour toutes : la page s'affichera d'elle-même dès qu'ils seront prêts."
    ),
    "ui_computing_why": (
        "C'est la première fois que cette période est demandée : pour la France entière, le calcul prend de "
        "quelques secondes à une demi-minute. Les périodes déjà calculées s'affichent aussitôt."
    ),
    "ui_computing_again": "Afficher la page",
    "ui_analysis_step_loading": "Mise à jour du tableau de bord",
    "ui_analysis_count": "{done} articles sur {total}",
    "ui_analysis_ready": "Analyse terminée.",
    "ui_analysis_failed": "L'analyse n'a pas abouti : {message}",
    "ui_analysis_failed_unknown": "la récupération s'est arrêtée sans dire pourquoi ; réessayez dans un moment.",
    "ui_analysis_leave": "Vous pouvez quitter cette page : l'analyse continue, et revenir sur la page de la commune.",
    "ui_analysis_busy": ("Le serveur analyse en ce moment {name} : une analyse à la fois. Revenez dans une minute."),
    "ui_analysis_busy_link": "Voir l'analyse de {name}",
    "sim_campaign_name": "Campagne simulée n° {n}",
    "dump_bad_name": (
        "Nom de fichier inattendu « {name} » : un dump horaire s'appelle pageviews-AAAAMMJJ-HH0000.gz "
        "(l'heure est lue dans le nom)."
    ),
    "dump_bad_project": "Projet non pris en charge : {project} (possibles : {choices}).",
    "dump_missing": "Fichier introuvable : {path}",
    "dump_empty": "{name} : fichier vide (0 octet), refusé ; rien n'a été écrit.",
    "dump_wrong_compression": (
        "{name} : le nom annonce un fichier {expected}, mais le contenu est {found} ; refusé, rien n'a été écrit."
    ),
    "dump_no_project_line": (
        "{name} : aucune ligne du projet (un vrai dump en contient toujours beaucoup) ; refusé, rien n'a été écrit."
    ),
    "dump_negative": "{name} : {n} ligne(s) avec un nombre de vues négatif ; refusé, rien n'a été écrit.",
    "dump_too_large": (
        "{name} : {n} ligne(s) au-delà de {limit} vues, plus qu'aucune page réelle ; refusé, rien n'a été écrit."
    ),
    "dump_malformed": (
        "{name} : {n} ligne(s) mal formée(s) sur {lines} (tolérance : {tolerated}) ; refusé, rien n'a été écrit."
    ),
    "dump_replace_needs_day": (
        "Le {day} est déjà complet dans le magasin : pour remplacer une de ses heures, donnez ses 24 fichiers "
        "avec --replace (ce lot en a {n}) ; rien n'a été écrit."
    ),
    "dump_replace_log": "remplacé à la demande (--replace) : {n} fichier(s), {hours} heure(s) relue(s)",
    "dump_changed": (
        "Le fichier {name} a déjà été ingéré avec un autre contenu (somme SHA-256 différente) : "
        "vérifiez le téléchargement, ou ajoutez --replace pour le remplacer ; rien n'a été écrit."
    ),
    "dump_corrupt": "Fichier illisible ou tronqué : {name} ({err}). Rien de ce fichier n'a été écrit.",
    "cmd_ingest": (
        "Ingère des dumps Wikimedia, fichiers locaux ou adresses https : horaires (pageviews-AAAAMMJJ-HH0000.gz) "
        "et pageview_complete quotidiens ou mensuels (pageviews-AAAAMMJJ-user.bz2, pageviews-AAAAMM-user.bz2). "
        "Un fichier par transaction, reprise possible ; les jours complets (24 heures) sont ajoutés."
    ),
    "ingest_unmatched": (
        "{n} fichier(s) sans aucune ligne pour un article de commune du magasin (titres à vérifier : "
        "belvedere articles resolve) : {names}"
    ),
    "ingest_malformed": "{n} ligne(s) mal formée(s) ignorée(s), dans la tolérance d'une sur 10 000.",
    "ingest_replaced": "{n} fichier(s) remplacé(s) à la demande (--replace), noté(s) dans le journal d'ingestion.",
    "opt_replace": (
        "Relit des fichiers déjà ingérés et remplace ce qu'ils avaient donné (un autre contenu sous le même nom, "
        "ou des titres appris depuis) ; noté dans le journal d'ingestion."
    ),
    "ingest_done": (
        "{files} fichier(s) ingéré(s), {skipped} déjà présent(s), {lines} lignes d'articles gardées, "
        "{days} jour(s) complet(s) ajouté(s)."
    ),
    "stage_dumps": "Lecture des dumps",
    "dump_bad_engine": "Moteur inconnu : {engine} (duckdb ou spark).",
    "spark_missing": "PySpark n'est pas installé : pip install 'belvedere[spark]' (et une JVM, Java 17 ou plus).",
    "spark_failed": "Le travail Spark a échoué : {err}",
    "opt_engine": "Moteur de lecture des dumps : duckdb (par défaut) ou spark.",
    "opt_spark_master": "Maître Spark (local[*] par défaut, ou spark://hôte:7077 pour une grappe).",
    "dump_bad_daily_name": (
        "Nom de fichier inattendu « {name} » : un fichier pageview_complete s'appelle pageviews-AAAAMMJJ-user.bz2 "
        "(quotidien) ou pageviews-AAAAMM-user.bz2 (mensuel) ; -automated ou -spider au lieu de -user ; .bz2 ou "
        "déjà décompressé."
    ),
    "dump_bad_rows": (
        "{name} : {n} ligne(s) illisible(s) (ni 5 ni 6 champs, total non entier, ou jours du mois qui ne "
        "tombent pas dans le mois ou ne font pas le total). Rien n'a été écrit."
    ),
    "arg_ingest_files": "Fichiers de dumps ou leurs adresses (https://dumps.wikimedia.org/other/...).",
    "opt_all_articles": (
        "Garder aussi toutes les pages du projet (tables project_pages et project_views), pas seulement les "
        "articles des communes ; l'analyse ne lit que ces derniers."
    ),
    "opt_download_dir": "Dossier où télécharger les adresses données (par défaut : dumps/ à côté de la base).",
    "stage_download": "Téléchargement de {n} dump(s) vers {dir}",
    "dump_bad_url": "Adresse inattendue « {url} » : elle doit finir par le nom d'un dump (pageviews-…).",
    "dump_download_failed": (
        "Téléchargement de {url} impossible : {err}. Ce qui est arrivé est gardé : une relance reprendra là."
    ),
    "opt_ingest_project": "Projet Wikimedia (fr.wikipedia).",
    "cmd_maps": "Fonds de carte des rapports et du tableau de bord.",
    "cmd_maps_fetch": (
        "Télécharge la carte des départements de l'ANCT (Licence Ouverte 2.0) dans le cache de l'utilisateur ; "
        "sans elle, les cartes sont dessinées en carrés placés au centre des communes de chaque département."
    ),
    "maps_fetched": "{n} départements enregistrés dans {path}.",
    "cmd_campaign": "Campagnes d'une commune : enregistrer, lister, supprimer.",
    "cmd_campaign_add": "Enregistre une campagne (ou un événement organisé) pour une ou plusieurs communes.",
    "cmd_campaign_list": "Liste les campagnes enregistrées.",
    "cmd_campaign_remove": "Supprime une campagne.",
    "cmd_impact": (
        "Mesure l'effet d'une campagne : vues en plus pendant et après, intervalle à 95 %, contrôle placebo, "
        "mobile à part, et une phrase en français."
    ),
    "opt_campaign_communes": "Commune(s) concernée(s) : codes INSEE ou noms, séparés par des virgules.",
    "opt_campaign_name": "Nom de la campagne.",
    "opt_campaign_start": "Premier jour (AAAA-MM-JJ).",
    "opt_campaign_end": "Dernier jour (AAAA-MM-JJ).",
    "opt_campaign_channel": "Canal : réseaux sociaux, presse, TV, événement, affichage…",
    "opt_campaign_cost": "Coût en euros (facultatif).",
    "opt_campaign_notes": "Notes libres.",
    "opt_campaign_filter": "Seulement les campagnes de cette commune.",
    "arg_campaign_id": "Numéro de la campagne (belvedere campaign list).",
    "campaign_list_title": "Campagnes",
    "impact_title": "Effet de la campagne n° {id}",
    "impact_section": "Campagnes et leur effet",
    "impact_dates": "du {start} au {end}",
    "impact_mobile": (
        "Sur mobile seul (les visites sur place passent surtout par le mobile) : {pct}, intervalle {lo} à {hi}."
    ),
    "impact_part_during": "pendant",
    "impact_part_after": "4 semaines après",
    "impact_part_mobile_during": "pendant (mobile seul)",
    "impact_lbl_part": "Période",
    "impact_lbl_observed": "Vues",
    "impact_lbl_expected": "Attendues",
    "impact_lbl_extra": "En plus",
    "impact_lbl_uplift": "Effet",
    "impact_lbl_interval": "Intervalle 95 %",
    "impact_lbl_significant": "Significatif",
    "impact_fit": "Avant la campagne, le contrefactuel s'écartait en moyenne de {fit} par semaine ; {n} placebos.",
    "impact_simulated_truth": "Effet planté par le simulateur : {uplift}.",
    "campaign_no_name": "Donnez un nom à la campagne (--name).",
    "campaign_no_commune": "Indiquez au moins une commune (--communes).",
    "campaign_future": "La campagne commence le {start}, dans le futur : enregistrez-la une fois commencée.",
    "campaign_bad_cost": "Coût invalide : {cost} (un montant positif, en euros).",
    "campaign_overlap": (
        "La commune {code} a déjà une campagne sur ces dates : n° {id} « {name} » du {start} au {end}. "
        "Deux campagnes en même temps ne peuvent pas être mesurées séparément : modifiez les dates ou "
        "supprimez l'autre (belvedere campaign remove {id})."
    ),
    "campaign_unknown": "Campagne inconnue : n° {id} (belvedere campaign list).",
    "campaign_removed": "Campagne n° {id} supprimée.",
    "campaign_added": "Campagne n° {id} enregistrée.",
    "impact_not_over": (
        "La campagne n'est pas couverte par les données : elle finit le {end}, les données "
        "s'arrêtent au {last}. Récupérez les jours manquants (belvedere fetch) puis recommencez."
    ),
    "impact_short_pre": (
        "Trop peu d'historique avant la campagne : {days} jours depuis le {first}, il en faut {need} au moins "
        "pour savoir ce qui était normal. Récupérez une période plus ancienne (belvedere fetch --start …)."
    ),
    "impact_impossible": (
        "Impossible d'estimer l'effet pour {code} : ni communes comparables sans campagne ni un an "
        "d'historique pour calibrer l'intervalle."
    ),
    "impact_method_peers": "{n} communes comparables ({how}), sans campagne ni pic autour des dates",
    "impact_peers_same": "même taille et même type",
    "impact_peers_size": "même taille ; trop peu du même type",
    "impact_method_own": "sa propre saisonnalité (les mêmes jours de la semaine, un an plus tôt)",
    "impact_why_both": (
        "Contrefactuel : {method}, ramené au niveau de la commune sur les semaines précédentes. Les communes "
        "comparables passent en premier : elles vivent la même année (actualité, météo, tendance). Écart type "
        "des placebos (fausses campagnes à d'autres dates) : {mine}, contre {other} avec sa propre saisonnalité."
    ),
    "impact_why_one": (
        "Contrefactuel : {method}, ramené au niveau de la commune sur les semaines précédentes ; {reason}."
    ),
    "impact_only_peers": "moins d'un an d'historique avant la campagne : sa propre saisonnalité n'est pas connue",
    "impact_only_own": "moins de 5 communes comparables sans campagne ni pic autour des dates",
    "impact_during_up": (
        "Pendant la campagne, la page a reçu environ {extra} vues de plus que prévu ({pct}, intervalle {lo} à {hi})."
    ),
    "impact_during_down": (
        "Pendant la campagne, la page a reçu environ {extra} vues de moins que prévu ({pct}, intervalle {lo} à {hi})."
    ),
    "impact_during_none": (
        "Pendant la campagne, aucun effet mesurable : {pct} par rapport à l'attendu, intervalle {lo} à {hi}, "
        "qui comprend zéro."
    ),
    "impact_after_up": (
        "Dans les semaines suivantes, environ {extra} vues de plus que prévu ({pct}, intervalle {lo} à {hi})."
    ),
    "impact_after_none": "Dans les semaines suivantes, pas d'effet mesurable ({pct}, intervalle {lo} à {hi}).",
    "impact_after_down": (
        "Dans les semaines suivantes, environ {extra} vues de moins que prévu ({pct}, intervalle {lo} à {hi})."
    ),
    "serve_port_busy": "Impossible d'écouter sur {host}:{port} ({err}) : un autre serveur l'utilise ? Essayez --port.",
    "serve_ready": "Belvédère écoute sur {url} ({mode}). Ctrl-C pour arrêter.",
    "serve_rw": "annotations autorisées avec le jeton",
    "serve_ro": "lecture seule",
    "web_api_description": "API JSON de Belvédère : communes, audiences, indicateurs, classements, pics, événements.",
    "web_error_title_400": "Demande illisible",
    "web_error_title_404": "Page introuvable",
    "web_error_title_405": "Action impossible ici",
    "web_error_title_422": "Demande à corriger",
    "web_error_title_503": "Un instant",
    "web_error_title_500": "Une erreur de notre côté",
    "web_error_internal": (
        "Belvédère n'a pas pu préparer cette page. Réessayez ; si cela se reproduit, signalez l'adresse de la page."
    ),
    "web_error_next": "Vous pouvez :",
    "web_error_home": "revenir à l'accueil et chercher une commune",
    "web_error_ranking": "consulter le classement des communes",
    "web_error_code": "Code de la réponse : {status}.",
    "pydantic_int_parsing": "un nombre entier est attendu",
    "pydantic_float_parsing": "un nombre est attendu",
    "pydantic_bool_parsing": "oui ou non (true/false) est attendu",
    "pydantic_greater_than_equal": "au moins {ge}",
    "pydantic_less_than_equal": "au plus {le}",
    "pydantic_greater_than": "plus de {gt}",
    "pydantic_less_than": "moins de {lt}",
    "pydantic_string_too_long": "{max_length} caractères au plus",
    "pydantic_string_too_short": "{min_length} caractère(s) au moins",
    "pydantic_too_long": "{max_length} éléments au plus",
    "pydantic_too_short": "{min_length} élément(s) au moins",
    "pydantic_missing": "obligatoire",
    "pydantic_date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue",
    "pydantic_finite_number": "un nombre fini est attendu",
    "web_status_400": "Corps de requête illisible (JSON attendu).",
    "web_bad_body": "Corps de requête illisible : un objet JSON est attendu.",
    "web_no_route": "Adresse inconnue : {path}.",
    "web_bad_method": "Méthode {method} non permise ici (permises : {allowed}).",
    "web_status_401": "Jeton d'écriture manquant ou invalide.",
    "web_status_403": "Serveur en lecture seule (aucun jeton d'écriture configuré).",
    "web_status_404": "Commune ou campagne inconnue.",
    "web_status_422": "Demande invalide (date, code, portée, indicateur, limite…) : la phrase dit laquelle.",
    "web_status_503": "Magasin occupé par une autre écriture : réessayer dans un instant.",
    "web_read_only": "Serveur en lecture seule : aucun jeton d'écriture n'a été configuré (--write-token).",
    "web_bad_token": "Jeton d'écriture manquant ou invalide (en-tête Authorization: Bearer …).",
    "web_store_busy": "Le magasin est occupé (une autre écriture est en cours) : réessayez. ({err})",
    "web_invalid": "Requête invalide : {errors}",
    "web_bad_export": "Format d'export inconnu « {fmt} » : csv ou parquet.",
    "web_bad_report_format": "Format de rapport inconnu « {fmt} » : html ou pdf.",
    "web_scope": "Communes",
    "web_start": "Du",
    "web_end": "Au",
    "web_apply": "Afficher",
    "web_printable": "Version imprimable",
    "cmd_report_study": (
        "Étude nationale : audience, distribution, groupes, palmarès, moins visibles, événements, carte."
    ),
    "opt_study_scope": "Communes étudiées (défaut pvd ; all, region:CODE, dep:CODE…).",
    "study_title": "Petits territoires, grande audience",
    "study_subtitle": "L'audience Wikipédia des communes — {scope}, du {start} au {end}",
    "study_scope_pvd": "les Petites Villes de Demain",
    "study_per_day": "vues par jour au total",
    "study_median_per_inh": "vues par habitant (médiane)",
    "study_incomplete": (
        "{n} communes n'ont pas de données pour tous les jours de la période : leurs moyennes portent sur "
        "les jours connus."
    ),
    "study_distribution": "Du plus vu au moins vu",
    "study_distribution_legend": (
        "Vues par jour de chaque commune, classées de la plus vue à la moins vue (échelle logarithmique)."
    ),
    "study_groups": "Par habitant : Petites Villes de Demain, villes moyennes, grandes villes",
    "study_groups_legend": (
        "Vues par habitant sur la période : médiane et quartiles par groupe ; « ensemble » = total des vues "
        "du groupe divisé par sa population. Les groupes de taille excluent les PVD."
    ),
    "study_pooled": "Ensemble",
    "study_top": "Les {n} plus vues par habitant",
    "study_top_shares": (
        "Parmi elles, {tourist} ont un profil touristique (saison d'été ou d'hiver) et {event} un profil porté "
        "par l'événement ; sur toutes les communes étudiées : {tourist_all} et {event_all}."
    ),
    "study_bottom": "Les {n} moins vues par habitant, et pourquoi",
    "study_reasons": "Raisons probables",
    "study_events": "Les grands moments médiatiques de la période",
    "study_no_events": "Aucun événement partagé significatif sur la période.",
    "study_map": "Vues par habitant, par département",
    "study_map_legend": (
        "Total des vues des communes étudiées du département divisé par leur population ; gris : aucune "
        "commune étudiée."
    ),
    "study_methods": "Méthodes et limites",
    "study_methods_text": (
        "Audience : vues quotidiennes de l'article Wikipédia en français de chaque commune et de ses redirections, "
        "par des humains (agent « user »), sur ordinateur, web mobile et application. Les pics sont repérés "
        "au-dessus d'une ligne de base robuste et saisonnière ; ceux qui ressemblent à des robots sont écartés. "
        "Le surplus de visibilité compare l'audience à celle que prévoit la population (ajustement robuste sur "
        "toutes les communes). Les événements partagés regroupent les pics de plusieurs communes commençant à "
        "un jour d'intervalle, s'ils sont trop nombreux pour être dus au hasard."
    ),
    "study_limits_text": (
        "Limites : Wikipédia n'est qu'une porte d'entrée parmi d'autres ; les homonymes et les titres mal résolus "
        "peuvent fausser une commune ; les petites communes ont trop peu de vues pour que leurs petits pics soient "
        "visibles ; la typologie est une lecture automatique, à confirmer localement."
    ),
    "study_chart_dist": "Distribution des vues par jour",
    "study_chart_groups": "Vues par habitant, médiane par groupe",
    "study_chart_map": "Carte des vues par habitant",
    "report_study_written": "Étude écrite : {path}",
    "cmd_report_demo_set": (
        "Écrit l'étude et trois rapports de communes (PVD remarquable, commune nouvelle, moyenne)."
    ),
    "opt_out_dir": "Dossier où écrire les rapports.",
    "report_demo_written": "Rapport écrit : {path}",
    "cmd_report": "Rapports en français (HTML ou PDF).",
    "cmd_report_commune": "Rapport d'une commune : audience, pics, rang, pairs, saisons, recommandations.",
    "opt_report_out": "Fichier à écrire : .html (autonome, lisible hors ligne) ou .pdf (A4).",
    "report_written": "Rapport de {name} écrit : {path}",
    "report_written_no_data": "Attention : aucune audience pour cette commune sur la période ; le rapport le dit.",
    "report_simulated": "audiences générées pour la démonstration, pas des chiffres réels.",
    "report_provenance": "Sources et méthode",
    "report_generated": "Rapport produit par Belvédère {version} le {date}.",
    "report_commune_title": "Audience Wikipédia de la commune",
    "report_identity": "Identité",
    "report_inhabitants": "habitants",
    "report_pvd": "Petite Ville de Demain",
    "report_cn": "Commune nouvelle",
    "report_former": "communes fusionnées",
    "report_articles": "Article(s) Wikipédia",
    "report_redirect": "redirection",
    "report_unverified": "titre déduit du nom, non vérifié",
    "report_no_article": "aucun article connu",
    "report_no_audience": (
        "Aucune audience n'est disponible pour cette commune entre le {start} et le {end} : "
        "lancez « belvedere fetch » pour la récupérer. Les chiffres ne sont donc pas affichés."
    ),
    "report_missing_intro": "Données incomplètes : {covered} jours sur {days} ont une audience connue. Manquent :",
    "report_days": "jours",
    "report_total_views": "vues sur la période",
    "report_audience": "Audience au fil du temps",
    "report_daily_legend": (
        "Vues quotidiennes (trait fin), moyenne sur 7 jours (trait épais), pics en rouge (détaillés dans le "
        "tableau des pics). "
        "Les jours sans données ne sont pas tracés."
    ),
    "report_by_month": "Par mois",
    "report_access": "Ordinateur ou mobile",
    "report_desktop": "Ordinateur",
    "report_mobile": "Mobile",
    "report_spikes": "Pics d'attention",
    "report_no_spike": "Aucun pic marqué sur la période.",
    "report_bot_spikes": "{n} pic(s) suspect(s) de trafic automatisé ont été écartés.",
    "report_position": "Où se situe la commune",
    "report_surplus_sentence": (
        "{name} est vue {x} fois ce que sa taille laisse prévoir : {observed} vues par jour pour {expected} "
        "attendues d'après sa population."
    ),
    "report_rank_in": "Classement par vues par habitant",
    "report_out_of": "sur",
    "report_percentile": "Centile",
    "report_rank_france": "France",
    "report_rank_pvd": "Petites Villes de Demain",
    "report_rank_dep": "Département",
    "report_rank_size": "Communes de même taille",
    "report_peers": "Communes comparables",
    "report_seasons": "Saisons et profil",
    "report_season_figures": ("Juillet-août : {summer} des vues ; décembre-mars : {winter} ; part mobile : {mobile}."),
    "report_period_sub": "audience {period}",
    "report_yoy": "Sur les 12 derniers mois, l'audience est {change} par rapport aux 12 précédents.",
    "report_recommendations": "Recommandations",
    "report_trigger": "Déclenchée par",
    "report_no_reco": "Aucun indicateur ne déclenche de recommandation particulière.",
    "report_fetched": "récupéré le",
    "source_rest_api": "API REST Wikimedia (pageviews par article)",
    "source_rest_api_aggregate": "API REST Wikimedia (totaux de frwiki)",
    "source_simulated": "générateur de données SIMULÉES de Belvédère",
    "source_clickstream": "clickstream mensuel de Wikimedia (d'où viennent les lecteurs)",
    "report_method_note": (
        "Période du {start} au {end} ; vues des humains (agent « user »), tous accès (ordinateur, web mobile, "
        "application), article et redirections additionnés. Surplus de visibilité : rapport entre les vues "
        "observées et celles que prévoit la population (ajustement robuste sur toutes les communes)."
    ),
    "report_chart_daily": "Vues quotidiennes",
    "report_chart_monthly": "Vues par mois",
    "report_bad_suffix": "Le fichier de sortie {path} doit finir par .html ou .pdf.",
    "chromium_missing": (
        "Chromium introuvable ({path}) : installez-le (apt-get install chromium, ou make test) ou produisez "
        "le rapport en .html."
    ),
    "pdf_failed": "La production du PDF a échoué : {err}",
    "rec_the_commune": "la commune",
    "n_spikes": "{n} pics",
    "one_spike": "{n} pic",
    "rec_several": "plusieurs",
    "rec_example": "Exemple",
    "rec_source": "Source",
    "rec_article_title": "Soigner l'article Wikipédia et les photos de la commune",
    "rec_article": (
        "{name} reçoit {observed} vues par jour quand une commune de sa taille en reçoit {expected} : {x} fois "
        "l'attendu. Un article plus complet (histoire, patrimoine, vie locale, sources) et de bonnes images "
        "(concours photo ouvert aux habitants, photothèque versée sous licence libre) sont les leviers les plus "
        "directs."
    ),
    "rec_article_peer": (
        "Parmi ses communes comparables, {peer} ({dep}) est vue {ratio} fois plus par habitant : comparez les deux "
        "articles (sections, sources, photos)."
    ),
    "rec_article_trigger": "surplus de visibilité de {surplus} (moins de 0,8 fois l'attendu)",
    "rec_events_title": "Profiter des moments médiatiques, et les faire durer",
    "rec_events": (
        "L'attention portée à {name} arrive par vagues : {spikes} sur la période, qui portent {share} des "
        "vues. Préparez de quoi accueillir la prochaine (page d'accueil, visites, agenda) et prolongez-la par une "
        "animation durable."
    ),
    "rec_events_top": "Le plus fort, le {date}, a atteint {views} vues en un jour ({ratio} fois le niveau habituel).",
    "rec_events_trigger": "{spikes} pics sur la période, qui portent {share} des vues",
    "rec_offseason_title": "Animer la commune hors saison",
    "rec_offseason": (
        "Juillet-août font {share} des vues de {name} (indice {index}) et décembre-mars seulement {winter}. Des "
        "offres hors saison (parcours pour les familles, événements d'automne et d'hiver, patrimoine ouvert toute "
        "l'année) étalent la visibilité sur l'année."
    ),
    "rec_offseason_trigger": "juillet-août font {share} des vues (indice {index})",
    "rec_summer_title": "Faire connaître la commune au-delà de l'hiver",
    "rec_summer": (
        "Décembre-mars font {share} des vues de {name} (indice {index}), juillet-août {summer}. Mettre en avant "
        "les activités des autres saisons (randonnée, patrimoine, fêtes d'été) élargit le public."
    ),
    "rec_summer_trigger": "décembre-mars font {share} des vues (indice {index})",
    "rec_new_name_title": "Faire connaître le nouveau nom",
    "rec_new_name": (
        "{name} est une commune nouvelle ({merged} anciennes communes) : son nom est encore peu cherché. Reliez "
        "les anciens noms au nouveau (redirections Wikipédia, pages des communes déléguées, signalétique) et "
        "utilisez le nouveau nom partout."
    ),
    "rec_new_name_former": "Les anciens noms à relier : {names}.",
    "rec_new_name_trigger": "commune nouvelle ({merged} anciennes communes)",
    "rec_image_title": "Donner une image à l'article",
    "rec_image": (
        "L'article de {name} n'a pas d'image principale{peers}. Versez des photos libres de la commune sur "
        "Wikimedia Commons (licence CC BY-SA) et ajoutez la meilleure à l'infobox : c'est elle qu'affichent les "
        "moteurs de recherche et les aperçus sur téléphone."
    ),
    "rec_image_peers": " ; {share} des {n} de même taille dont l'article a été lu en ont une",
    "rec_image_trigger": "pas d'image principale dans l'article",
    "rec_short_title": "Étoffer l'article",
    "rec_short": (
        "L'article de {name} fait {length} octets{peers}. Histoire, patrimoine, économie, lieux à voir, "
        "personnalités : chaque section sourcée (archives, monographies, office de tourisme) donne aux "
        "lecteurs une raison de rester et de venir."
    ),
    "rec_short_peers": " contre {median} en médiane pour les communes de même taille",
    "rec_short_trigger": "article de {length} octets",
    "rec_refs_title": "Sourcer l'article",
    "rec_refs": (
        "L'article cite {refs} références{peers}. Des sources publiées (INSEE, monographies, presse locale, "
        "inventaire du patrimoine) rendent le texte vérifiable et protègent les ajouts des retraits."
    ),
    "rec_refs_peers": " contre {median} en médiane pour les communes de même taille",
    "rec_refs_trigger": "{refs} références",
    "rec_stale_title": "Mettre l'article à jour",
    "rec_stale": (
        "L'article de {name} n'a pas été modifié depuis le {date} : projets, équipements, événements et chiffres "
        "récents (population, labels) peuvent y être ajoutés, avec leurs sources."
    ),
    "rec_stale_trigger": "dernière modification le {date}",
    "rec_mobile_title": "Penser d'abord au téléphone",
    "rec_mobile": (
        "{share} seulement des vues de {name} viennent d'un téléphone, quand les visiteurs lisent d'abord sur "
        "mobile. Des contenus pensés pour lui (vidéos verticales, pages courtes, photos) touchent mieux ce public."
    ),
    "rec_mobile_trigger": "part mobile de {share} (moins de 55 %)",
    "rec_decline_title": "Relancer l'intérêt",
    "rec_decline": (
        "L'audience de {name} est {change} sur un an. Une actualité à raconter (projet, événement, patrimoine "
        "restauré) et un article mis à jour aident à la relancer."
    ),
    "rec_decline_trigger": "audience {change} sur un an",
    # analytics: typology
    "type_event-driven": "Portée par l'événement",
    "type_seasonal-mountain": "Saisonnière (hiver)",
    "type_seasonal-coast": "Saisonnière (été)",
    "type_seasonal-mountain_montagne": "Saisonnière (montagne)",
    "type_seasonal-coast_littoral": "Saisonnière (littoral, été)",
    "why_zone_littoral": "Commune littorale au sens de la loi Littoral{shore} (liste officielle {vintage}).",
    "shore_of": " ({shore})",
    "why_zone_montagne": "Commune classée en zone de montagne (loi Montagne, liste officielle {vintage}).",
    "type_steady-famous": "Notoriété installée",
    "type_low-visibility": "Peu visible",
    "type_ordinary": "Audience régulière",
    "why_event": (
        "L'audience vient par vagues : {per_year} pics par an, qui portent {share} des vues. "
        "Ce sont les moments médiatiques (reportage, film, actualité) qui font connaître la commune."
    ),
    "why_mountain": (
        "Audience d'hiver : de décembre à mars, la page est vue {winter} fois plus que la moyenne de l'année."
    ),
    "why_mountain_two": (
        "Deux saisons : l'hiver ({winter} fois la moyenne de décembre à mars) et l'été ({summer} fois en juillet-août)."
    ),
    "why_coast": (
        "Audience d'été : en juillet-août la page est vue {summer} fois plus que la moyenne de l'année "
        "(ces deux mois font {share} des vues), un profil de destination estivale."
    ),
    "why_famous": (
        "Notoriété installée : la commune est vue {surplus} fois plus que sa taille ne le laisse prévoir, "
        "toute l'année, sans dépendre d'une saison ni d'un événement."
    ),
    "why_low": "Peu visible : {surplus} fois ce que sa taille laisse prévoir. Raisons probables : {reasons}.",
    "why_ordinary": "Audience régulière, proche de ce que sa taille laisse prévoir ({surplus} fois l'attendu).",
    "reason_commune_nouvelle": "commune nouvelle (le nouveau nom est encore peu cherché)",
    "reason_suburban": "commune proche d'une grande ville ({city}, à {km} km) qui capte l'attention",
    "reason_small": "petite population",
    "reason_low_tourism": "pas de saison touristique visible dans l'audience",
    "reason_none": "aucune des raisons habituelles (commune nouvelle, banlieue, petite taille, tourisme)",
    # web pages (src/belvedere/web/templates), one key per text shown
    "ui_commune_debut": "Début",
    "ui_commune_fin": "Fin",
    "ui_commune_changer_la_periode": "Changer la période",
    "ui_commune_rapport_pdf": "Rapport PDF",
    "ui_commune_glissez_pour_zoomer_double_cliquez": (
        "Glissez pour zoomer, double-cliquez pour revenir ; les pics sont en rouge."
    ),
    "ui_compare_comparer_des_communes": "Comparer des communes",
    "ui_compare_codes_insee_10_au_plus": "Codes INSEE (10 au plus, séparés par des virgules)",
    "ui_compare_echelle": "Échelle",
    "ui_compare_vues_par_jour": "vues par jour",
    "ui_compare_pour_1_000_habitants": "pour 1 000 habitants",
    "ui_compare_indice_100_au_depart": "indice 100 au départ",
    "ui_compare_comparer": "Comparer",
    "ui_compare_moyennes_sur_7_jours_l": (
        "Moyennes sur 7 jours. L'adresse de cette page garde la comparaison : copiez-la pour la partager."
    ),
    "ui_compare_commune": "Commune",
    "ui_compare_population": "Population",
    "ui_compare_vues_hab": "Vues / hab.",
    "ui_compare_type": "Type",
    "ui_events_evenements_et_pics": "Événements et pics",
    "ui_events_communes": "Communes",
    "ui_events_filtrer": "Filtrer",
    "ui_events_evenements_partages": "Événements partagés",
    "ui_events_debut": "Début",
    "ui_events_noms": "Noms",
    "ui_events_annotations": "Annotations",
    "ui_events_les_plus_grands_pics": "Les plus grands pics",
    "ui_events_commune": "Commune",
    "ui_events_pic": "Pic",
    "ui_events_vues_en_plus": "Vues en plus",
    "ui_events_annoter_un_pic_ou_un": "Annoter un pic ou un événement",
    "ui_events_serveur_en_lecture_seule_aucune": "Serveur en lecture seule : aucune annotation possible.",
    "ui_events_commune_code_vide_pour_un": "Commune (code, vide pour un événement)",
    "ui_events_date": "Date",
    "ui_events_texte": "Texte",
    "ui_events_lien": "Lien",
    "ui_events_categorie": "Catégorie",
    "ui_events_tv": "tv",
    "ui_events_film": "film",
    "ui_events_presse": "presse",
    "ui_events_sport": "sport",
    "ui_events_campagne": "campagne",
    "ui_events_evenement": "evenement",
    "ui_events_autre": "autre",
    "ui_events_jeton_d_ecriture": "Jeton d'écriture",
    "ui_events_annoter": "Annoter",
    "ui_events_evenements": "Événements",
    "ui_home_l_attention_portee_aux_communes": "L'attention portée aux communes, vue par Wikipédia",
    "ui_home_les_plus_vues_par_habitant": "Les plus vues par habitant",
    "ui_home_derniers_evenements_partages": "Derniers événements partagés",
    "ui_home_accueil": "Accueil",
    "ui_layout_accueil": "Accueil",
    "ui_layout_classement": "Classement",
    "ui_layout_comparer": "Comparer",
    "ui_layout_evenements": "Événements",
    "ui_layout_etude": "Étude",
    "ui_layout_belvedere": "Belvédère",
    "ui_layout_chercher_une_commune": "Chercher une commune…",
    "ui_layout_chercher_une_commune_2": "Chercher une commune",
    "ui_skip_to_content": "Aller au contenu",
    "ui_nav_label": "Navigation principale",
    "ui_search_button": "Chercher",
    "ui_search_suggestions": "Communes proposées",
    "ui_search_title": "Recherche de communes",
    "ui_search_label": "Nom, code postal ou code INSEE (ou ancien code) d'une commune",
    "ui_search_help": (
        "Tapez le nom d'une commune (les accents, majuscules et tirets ne comptent pas), son code postal, son code "
        "INSEE, ou le nom ou le code d'une ancienne commune."
    ),
    "ui_search_none": "Aucune commune ne s'appelle « {q} ».",
    "ui_search_close": "Vouliez-vous dire :",
    "ui_search_found": "{n} commune(s) pour « {q} », les plus peuplées d'abord.",
    "ui_search_caption": "Communes trouvées : nom, département, population (Insee), Petite Ville de Demain.",
    "ui_yes": "oui",
    "map_unit": "Vues par habitant {period}",
    "map_legend_unit": "Vues par habitant sur la période",
    "ui_home_intro": (
        "Audience des articles Wikipédia des communes {period}. Cherchez une commune ci-dessus, ou parcourez le "
        "classement."
    ),
    "ui_home_map_help": "Cliquez un département pour voir le classement de ses communes.",
    "ui_home_rising": "Les plus fortes hausses sur un an",
    "ui_map_as_table": "Les données de la carte, département par département",
    "ui_map_communes": "Communes étudiées",
    "ui_yoy_caption": "Vues des 12 derniers mois par rapport aux 12 précédents.",
    "ui_home_rising_none": "Il faut deux années complètes de données pour mesurer une évolution sur un an.",
    "ui_home_events_link": "Les pics et les événements partagés",
    "ui_commune_period": "Audience {period}.",
    "ui_commune_is_pvd": "Petite Ville de Demain",
    "ui_kpi_views": "vues de l'article {period}",
    "ui_kpi_per_day": "vues par jour en moyenne",
    "ui_kpi_per_inh": "vues par habitant sur la période ({population} hab.)",
    "ui_kpi_no_population": "vues par habitant : population inconnue ou nulle",
    "ui_kpi_surplus": "fois l'audience attendue pour sa taille",
    "ui_chart_controls": "Réglages du graphique",
    "ui_chart_step": "Pas",
    "ui_chart_day": "jour",
    "ui_chart_week": "semaine",
    "ui_chart_month": "mois",
    "ui_chart_access": "Accès",
    "ui_chart_all": "tous",
    "ui_chart_split": "ordinateur et mobile",
    "ui_chart_log": "échelle logarithmique",
    "ui_chart_png": "Image (PNG)",
    "ui_chart_alt": (
        "Vues quotidiennes de l'article de {name}, {period} ; les mêmes données par mois sont dans le tableau qui suit."
    ),
    "ui_chart_help": (
        "Glissez sur le graphique pour zoomer, double-cliquez pour revenir. Points rouges : pics ; bandes vertes : "
        "campagnes ; traits orange : annotations."
    ),
    "ui_chart_as_table": "Les données du graphique, mois par mois",
    "ui_chart_table_caption": "Vues de l'article de {name} par mois (tous accès, ordinateur, mobile).",
    "ui_month": "Mois",
    "ui_days_with_data": "Jours avec des données",
    "ui_spikes_caption": "Les jours où l'audience a nettement dépassé son niveau habituel.",
    "ui_ranks_intro": "Par vues par habitant, elle est",
    "ui_peers_caption": "Ses communes comparables (taille, département, type) : {words}.",
    "ui_season_words": "Juillet-août : {summer} des vues ; décembre-mars : {winter} ; sur mobile : {mobile}.",
    "ui_yoy_words": "Sur les 12 derniers mois, l'audience est {change} par rapport aux 12 précédents.",
    "ui_articles": "Articles Wikipédia suivis",
    "ui_article_unverified": "titre déduit du nom, non vérifié",
    "ui_article_views": "{views} vues sur la période",
    "ui_article_no_views": "aucune vue relevée sur la période",
    "ui_former_communes": "Anciennes communes",
    "kind_deleguee": "commune déléguée",
    "kind_associee": "commune associée",
    "kind_ancien_code": "ancien code",
    "lbl_medians": "Vues / hab. médianes",
    "median_departement": "dans son département",
    "median_region": "dans sa région",
    "median_pvd": "parmi les Petites Villes de Demain",
    "median_france": "en France",
    "median_held": "parmi les communes suivies ici",
    "ui_medians": "Vues par habitant sur la même période, commune médiane :",
    "ui_median_item": "{label} {median} ({n})",
    "ui_compare_add": "Ajouter une commune",
    "ui_compare_add_hint": "nom ou code INSEE",
    "ui_compare_chart_alt": (
        "Audience comparée des communes choisies, {period} ; leurs chiffres sont dans le tableau qui suit."
    ),
    "ui_compare_caption": "Les communes comparées, {period}.",
    "ui_compare_empty": "Ajoutez des communes (nom ou code) pour les comparer.",
    "ui_compare_unit_raw": "vues par jour (moyenne 7 j)",
    "ui_compare_unit_inhab": "vues par jour pour 1 000 hab.",
    "ui_compare_unit_index": "indice (100 = 28 premiers jours)",
    "ui_ranking_classement": "Classement",
    "ui_ranking_communes": "Communes",
    "ui_ranking_toutes": "Toutes",
    "ui_ranking_region": "Région",
    "ui_ranking_departement": "Département",
    "ui_ranking_taille": "Taille",
    "ui_ranking_toutes_2": "toutes",
    "ui_ranking_type": "Type",
    "ui_ranking_tous": "tous",
    "ui_ranking_indicateur": "Indicateur",
    "ui_ranking_filtrer": "Filtrer",
    "ui_ranking_exactement_les_lignes_affichees": "(exactement les lignes affichées)",
    "ui_ranking_rang": "Rang",
    "ui_ranking_commune": "Commune",
    "ui_ranking_dep": "Dép.",
    "ui_ranking_population": "Population",
    "ui_ranking_vues_hab": "Vues / hab.",
    "ui_ranking_surplus": "Surplus",
    "ui_ranking_pages": "Page {page} sur {pages}",
    "ui_ranking_period": "Audience {period}.",
    "ui_period_presets": "Périodes",
    "ui_ranking_region_hint": "ex. Normandie ou 28",
    "ui_ranking_departement_hint": "ex. Orne ou 61",
    "ui_ranking_epci": "Intercommunalité",
    "ui_ranking_epci_hint": "nom ou SIREN",
    "ui_ranking_communes_found": "communes",
    "ui_ranking_exports": "Exporter :",
    "ui_export_spreadsheet": "Tableur (Excel, LibreOffice)",
    "ui_ranking_caption": "Classement par {metric}, {period} ; cliquez un titre de colonne pour trier.",
    "ui_ranking_none": "Aucune commune ne répond à ces filtres.",
    "ui_pages": "Pages du classement",
    "ui_page_prev": "Page précédente",
    "ui_page_next": "Page suivante",
    # attention from abroad (issue #19)
    "cmd_foreign": "L'attention venue de l'étranger : les articles d'une commune en d'autres langues, leurs lecteurs.",
    "cmd_foreign_fetch": (
        "Récupère les articles de Wikipédia en d'autres langues (liens interlangues de Wikidata) et leur audience "
        "mensuelle (API Wikimedia), mois entiers ; une reprise ne demande que les mois manquants."
    ),
    "cmd_foreign_show": "L'attention venue de l'étranger pour une commune : part, langues, saison.",
    "cmd_foreign_rank": "Classe les communes par attention venue de l'étranger (vues mensuelles en d'autres langues).",
    "opt_foreign_by": "Classer par : views (vues étrangères par mois) ou share (part des lecteurs étrangers).",
    "foreign_bad_by": "Classement inconnu : « {by} » (views ou share).",
    "foreign_progress": "Articles en langues étrangères",
    "foreign_simulated_store": (
        "Le magasin {path} contient des données simulées : son attention étrangère est simulée aussi ; "
        "utilisez un magasin réel pour interroger Wikimédia."
    ),
    "foreign_fetched": (
        "{items} éléments Wikidata lus, {articles} articles étrangers, {months} mois d'audience écrits, "
        "{requests} requêtes en {seconds} s."
    ),
    "foreign_failed": "{n} articles étrangers n'ont pas pu être lus (relancez la commande pour reprendre) :",
    "foreign_no_items": (
        "Aucune des communes choisies n'a d'élément Wikidata connu : lancez d'abord « belvedere articles resolve »."
    ),
    "foreign_section": "Les lecteurs venus de l'étranger",
    "foreign_lead": (
        "Sur {months} mois entiers (de {first} à {last}), {share} des vues des articles de Wikipédia consacrés à "
        "{name} viennent de ses {editions} articles en d'autres langues que le français ({foreign} vues, contre "
        "{french} pour l'article français)."
    ),
    "foreign_languages": "Langues les plus lues : {languages}.",
    "foreign_season": (
        "Cette part monte à {peak} en {month} : un public étranger saisonnier, signe de visiteurs qui préparent "
        "leur séjour."
    ),
    "foreign_flat": "Cette part varie peu au fil de l'année (au plus {peak}, en {month}).",
    "foreign_partial": "{n} mois incomplets (fichiers horaires manquants) ne sont pas comptés.",
    "foreign_note": (
        "Sources : liens interlangues de l'élément Wikidata de la commune et audience mensuelle de chacun de ses "
        "articles (API Wikimedia ou fichiers de vues horaires) ; lecteurs humains, tous accès. La langue d'un "
        "lecteur ne dit pas son pays, mais un article en allemand est surtout lu hors de France."
    ),
    "foreign_none": (
        "Pas encore d'audience des articles en langues étrangères pour cette commune : « belvedere foreign fetch "
        "--communes {code} --start AAAA-MM-JJ --end AAAA-MM-JJ » la récupère (liens Wikidata, API Wikimedia)."
    ),
    "foreign_no_whole_month": (
        "Ses {editions} articles étrangers sont connus, mais aucun mois n'est encore couvert en entier."
    ),
    "foreign_col_language": "Langue",
    "foreign_col_views": "Vues",
    "foreign_col_share": "Part des vues étrangères",
    "lbl_editions": "Articles étrangers",
    "lbl_foreign_per_month": "Vues étrangères / mois",
    "lbl_foreign_share": "Part étrangère",
    "lbl_rank_share": "Rang (part)",
    "lbl_top_language": "Première langue",
    "lbl_foreign_views": "Vues étrangères",
    "lbl_french_views": "Vues en français",
    "lbl_months": "Mois entiers",
    "foreign_rank_title": "Attention venue de l'étranger — {scope}, {period}",
    "study_abroad": "Les communes les plus lues depuis l'étranger",
    "study_abroad_intro": (
        "Vues mensuelles de leurs articles de Wikipédia en d'autres langues que le français, sur les mois entiers "
        "couverts ; {n} communes ont des articles étrangers suivis, la part étrangère médiane de leurs lecteurs est "
        "de {median}."
    ),
}

# Size classes by population, stated once (bands are [low, high)).
SIZE_CLASS_LABELS: dict[str, str] = {
    "<1k": "moins de 1 000 hab.",
    "1k-2.5k": "1 000 à 2 499 hab.",
    "2.5k-5k": "2 500 à 4 999 hab.",
    "5k-10k": "5 000 à 9 999 hab.",
    "10k-20k": "10 000 à 19 999 hab.",
    "20k-50k": "20 000 à 49 999 hab.",
    "50k-100k": "50 000 à 99 999 hab.",
    "100k+": "100 000 hab. et plus",
}


# the languages of Wikipedia editions, as a French reader names them (the others: their code)
LANGUAGES = {
    "en": "anglais", "de": "allemand", "nl": "néerlandais", "it": "italien", "es": "espagnol", "pt": "portugais",
    "pl": "polonais", "ca": "catalan", "br": "breton", "oc": "occitan", "eu": "basque", "co": "corse",
    "ru": "russe", "uk": "ukrainien", "ja": "japonais", "zh": "chinois", "ar": "arabe", "sv": "suédois",
    "da": "danois", "no": "norvégien", "fi": "finnois", "cs": "tchèque", "hu": "hongrois", "ro": "roumain",
    "el": "grec", "tr": "turc", "ko": "coréen", "he": "hébreu", "fa": "persan", "vi": "vietnamien",
    "ceb": "cebuano", "sr": "serbe", "hr": "croate", "sk": "slovaque", "sl": "slovène", "bg": "bulgare",
    "lb": "luxembourgeois", "als": "alémanique", "wa": "wallon", "pms": "piémontais", "lij": "ligure",
}  # fmt: skip


def language_name(code: str) -> str:
    """« allemand » for de, the code itself for a language not listed."""
    return LANGUAGES.get(code, code)


def t(key: str, **kwargs: object) -> str:
    """The French text for key, formatted with kwargs; a date given as a value is written the
    French way ("30 nov. 2023"), whatever text it goes into."""
    text = FR[key]
    if not kwargs:
        return text
    return text.format(**{k: fr_date(v) if type(v) is date else v for k, v in kwargs.items()})


MONTHS_LONG = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
               "novembre", "décembre")  # fmt: skip
MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def fr_date(d: date) -> str:
    """A date as a French reader writes it: « 30 nov. 2023 », « 1er janv. 2024 »."""
    return f"{'1er' if d.day == 1 else d.day} {MONTHS_SHORT[d.month - 1]} {d.year}"


def n_communes(n: int) -> str:
    """ "1 commune", "34 957 communes"."""
    return f"{fr_number(n, 0)} commune{'s' if abs(n) >= 2 else ''}"


def fr_number(x: float | None, decimals: int = 1) -> str:
    """A number the French way: comma for decimals, narrow no-break space for thousands."""
    if x is None or x != x:
        return "–"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_percent(x: float | None, decimals: int = 0) -> str:
    """A share (0.38) as a French percentage ("38 %")."""
    if x is None or x != x:
        return "–"
    return f"{fr_number(x * 100, decimals)}\u00a0%"


# the label shown for each ranking metric (web select, exports' readers)
METRIC_LABEL_KEYS = {
    "views_per_inhabitant": "lbl_views_per_inh",
    "views_per_1000_inh_year": "lbl_per_1000",
    "total_views": "lbl_views",
    "mean_daily_views": "lbl_views_per_day",
    "visibility_surplus": "lbl_surplus",
    "mobile_share": "lbl_mobile_share",
    "summer_share": "lbl_summer_share",
    "winter_share": "lbl_winter_share",
    "yoy_change": "lbl_yoy",
    "score_notoriete": "lbl_score_notoriete",
    "score_contenus": "lbl_score_contenus",
    "score_accessibilite": "lbl_score_accessibilite",
    "score_animation": "lbl_score_animation",
    "score_attractivite": "lbl_score_attractivite",
}


def _about(n: float) -> str:
    """A count said "environ": two significant digits (2 300, 480, 35)."""
    n = abs(n)
    step = 10 ** max(0, len(str(int(n))) - 2)
    return fr_number(round(n / step) * step, 0)


def _signed_percent(x: float) -> str:
    return ("+" if x > 0 else "") + fr_percent(x, 0)


def impact_sentence(result: dict[str, Any]) -> str:
    """The campaign's effect in one or two plain French sentences (during, then after)."""
    parts = []
    for part in ("during", "after"):
        r = result.get(part)
        if not r:
            continue
        args = {"extra": _about(r["extra_views"]), "pct": _signed_percent(r["uplift"]),
                "lo": _signed_percent(r["uplift_low"]), "hi": _signed_percent(r["uplift_high"])}  # fmt: skip
        kind = "none" if not r["significant"] else ("up" if r["uplift"] > 0 else "down")
        parts.append(t(f"impact_{part}_{kind}", **args))
    return " ".join(parts)


def impact_why(result: dict[str, Any]) -> str:
    """Which counterfactual was used, and why."""
    how = t("impact_peers_size" if result["donors_relaxed"] else "impact_peers_same")
    names = {"peers": t("impact_method_peers", n=result["donors"], how=how), "own": t("impact_method_own")}
    spread = result["method_spread"]
    method = result["method"]
    if len(spread) > 1:
        other = next(k for k in spread if k != method)
        return t("impact_why_both", method=names[method], mine=fr_percent(spread[method], 0),
                 other=fr_percent(spread[other], 0))  # fmt: skip
    return t(
        "impact_why_one",
        method=names[method],
        reason=t("impact_only_peers" if method == "peers" else "impact_only_own"),
    )


def impact_mobile(result: dict[str, Any]) -> str | None:
    """The effect on mobile views alone (mobile tracks visits on site), or None."""
    r = result.get("mobile_during")
    if not r:
        return None
    during = result.get("during") or {}
    mobile_clear = r["uplift_low"] > 0 or r["uplift_high"] < 0
    key = "impact_mobile_only" if mobile_clear and not during.get("significant") else "impact_mobile"
    return t(key, pct=_signed_percent(r["uplift"]), lo=_signed_percent(r["uplift_low"]),
             hi=_signed_percent(r["uplift_high"]))  # fmt: skip
