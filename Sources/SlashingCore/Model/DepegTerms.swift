/// A token's market discount to NAV (`tokens[i].depeg` in a scenario file): after a trial in which the token
/// lost x > 0 of its NAV, its market price sits below NAV by
/// d = min(1, floor_discount + per_nav_loss·x + per_queue_day·withdrawal_queue_days); d = 0 when x = 0.
public struct DepegTerms: Sendable, Equatable {
    public var perNAVLoss: Double
    public var floorDiscount: Double
    public var perQueueDay: Double

    public init(perNAVLoss: Double = 0, floorDiscount: Double = 0, perQueueDay: Double = 0) {
        self.perNAVLoss = perNAVLoss
        self.floorDiscount = floorDiscount
        self.perQueueDay = perQueueDay
    }
}

