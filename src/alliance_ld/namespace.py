"""The alliance-ld ontology terms as an rdflib ``DefinedNamespace``.

Generated from ontology/alliance.ttl by ``alliance-ld build``; do not edit.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class ALD(DefinedNamespace):
    """Terms of the alliance-ld ontology."""

    _fail = True
    _NS = Namespace("https://w3id.org/alliance-ld/ontology#")

    About: URIRef  # noqa: N815
    Agreement: URIRef  # noqa: N815
    AirDomain: URIRef  # noqa: N815
    Alliance: URIRef  # noqa: N815
    BinationalDefenceAgreement: URIRef  # noqa: N815
    Capability: URIRef  # noqa: N815
    CapabilityContribution: URIRef  # noqa: N815
    CapacityBuilding: URIRef  # noqa: N815
    ConsultationObligation: URIRef  # noqa: N815
    Contribution: URIRef  # noqa: N815
    CooperativeThreatReduction: URIRef  # noqa: N815
    CountQualifier: URIRef  # noqa: N815
    CountQualifierScheme: URIRef  # noqa: N815
    CyberDomain: URIRef  # noqa: N815
    DefenceCooperationAgreement: URIRef  # noqa: N815
    DefenceObligation: URIRef  # noqa: N815
    Designation: URIRef  # noqa: N815
    DesignationAssignment: URIRef  # noqa: N815
    Document: URIRef  # noqa: N815
    Exactly: URIRef  # noqa: N815
    Exercise: URIRef  # noqa: N815
    ExerciseParticipation: URIRef  # noqa: N815
    FundingContribution: URIRef  # noqa: N815
    GovernmentOrganisation: URIRef  # noqa: N815
    Guide: URIRef  # noqa: N815
    HistoricalEvent: URIRef  # noqa: N815
    Initiative: URIRef  # noqa: N815
    Instruction: URIRef  # noqa: N815
    InternationalOrganisation: URIRef  # noqa: N815
    LandDomain: URIRef  # noqa: N815
    Law: URIRef  # noqa: N815
    LeadershipContribution: URIRef  # noqa: N815
    MaritimeDomain: URIRef  # noqa: N815
    Membership: URIRef  # noqa: N815
    MemorandumOfUnderstanding: URIRef  # noqa: N815
    MilitaryOrganisation: URIRef  # noqa: N815
    MilitaryToMilitaryEngagement: URIRef  # noqa: N815
    MoreThan: URIRef  # noqa: N815
    Nation: URIRef  # noqa: N815
    NeutralityObligation: URIRef  # noqa: N815
    NonAggressionObligation: URIRef  # noqa: N815
    ObligationKind: URIRef  # noqa: N815
    ObligationKindScheme: URIRef  # noqa: N815
    OffenceObligation: URIRef  # noqa: N815
    OperationalDomain: URIRef  # noqa: N815
    OperationalDomainScheme: URIRef  # noqa: N815
    Partnership: URIRef  # noqa: N815
    PolicyDocument: URIRef  # noqa: N815
    Post: URIRef  # noqa: N815
    Programme: URIRef  # noqa: N815
    Region: URIRef  # noqa: N815
    SecurityCooperationActivity: URIRef  # noqa: N815
    SecurityRelationship: URIRef  # noqa: N815
    SourceDocument: URIRef  # noqa: N815
    SpaceDomain: URIRef  # noqa: N815
    Standard: URIRef  # noqa: N815
    Strategy: URIRef  # noqa: N815
    SupportToOperations: URIRef  # noqa: N815
    Topic: URIRef  # noqa: N815
    Treaty: URIRef  # noqa: N815
    TreatyObligation: URIRef  # noqa: N815
    TroopContribution: URIRef  # noqa: N815
    Vessel: URIRef  # noqa: N815
    addresses: URIRef  # noqa: N815
    advises: URIRef  # noqa: N815
    articleReference: URIRef  # noqa: N815
    conductedUnder: URIRef  # noqa: N815
    contributor: URIRef  # noqa: N815
    countQualifier: URIRef  # noqa: N815
    deploysVessel: URIRef  # noqa: N815
    designatedBy: URIRef  # noqa: N815
    designation: URIRef  # noqa: N815
    designee: URIRef  # noqa: N815
    endDate: URIRef  # noqa: N815
    enteredIntoForceOn: URIRef  # noqa: N815
    focus: URIRef  # noqa: N815
    foundedOn: URIRef  # noqa: N815
    frequency: URIRef  # noqa: N815
    hasObligation: URIRef  # noqa: N815
    hasParty: URIRef  # noqa: N815
    host: URIRef  # noqa: N815
    implementedBy: URIRef  # noqa: N815
    inDomain: URIRef  # noqa: N815
    inExercise: URIRef  # noqa: N815
    inResponseTo: URIRef  # noqa: N815
    issuedBy: URIRef  # noqa: N815
    leadershipPost: URIRef  # noqa: N815
    ledBy: URIRef  # noqa: N815
    obligationKind: URIRef  # noqa: N815
    ofNation: URIRef  # noqa: N815
    operatedBy: URIRef  # noqa: N815
    overseenBy: URIRef  # noqa: N815
    participant: URIRef  # noqa: N815
    personnelCount: URIRef  # noqa: N815
    plannedSuccessor: URIRef  # noqa: N815
    prioritises: URIRef  # noqa: N815
    providesCapability: URIRef  # noqa: N815
    recipient: URIRef  # noqa: N815
    region: URIRef  # noqa: N815
    relatedAgreement: URIRef  # noqa: N815
    signedOn: URIRef  # noqa: N815
    standardises: URIRef  # noqa: N815
    startDate: URIRef  # noqa: N815
    supportedBy: URIRef  # noqa: N815
    viaProgramme: URIRef  # noqa: N815
